package org.irisseg.api;

import java.time.Instant;
import java.util.List;

import org.irisseg.task.TaskSummary;

import io.swagger.v3.oas.annotations.media.Schema;

/** A registered task as the API shows it. */
@Schema(name = "Task", description = "A registered segmentation task")
public record TaskResponse(
        @Schema(description = "Task id (UUID)", example = "3f2b8f9e-4c1a-4b7e-9a53-1d2c3b4a5f60") String id,
        @Schema(description = "Name given at registration", example = "hippocampus") String name,
        @Schema(description = "Classes: every non-zero value of the masks") List<TaskClassResponse> classes,
        @Schema(description = "Number of reference image-mask pairs in the task's pool", example = "3") int references,
        @Schema(description = "Model that computed the embeddings, name@version", example = "iris-small@1.0.0")
        String modelVersion,
        @Schema(description = "Registration time (UTC)") Instant createdAt) {

    static TaskResponse of(TaskSummary task) {
        return new TaskResponse(task.id(), task.name(),
                task.classes().stream().map(c -> new TaskClassResponse(c.label(), c.name())).toList(),
                task.references(), task.modelVersion(), task.createdAt());
    }

    /** One class of a task. */
    @Schema(name = "TaskClass")
    public record TaskClassResponse(
            @Schema(description = "Label value in the masks and in returned label maps", example = "1") int label,
            @Schema(description = "Class name", example = "anterior") String name) {
    }
}
