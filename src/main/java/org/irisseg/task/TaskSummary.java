package org.irisseg.task;

import java.time.Instant;
import java.util.List;

/**
 * A task without its embeddings: what listings and responses show.
 *
 * @param tenant     the tenant that owns the task
 * @param references number of reference pairs in the task's pool
 */
public record TaskSummary(
        String id,
        String tenant,
        String name,
        List<TaskClass> classes,
        int references,
        String modelVersion,
        Instant createdAt) {

    public TaskSummary {
        classes = List.copyOf(classes);
    }
}
