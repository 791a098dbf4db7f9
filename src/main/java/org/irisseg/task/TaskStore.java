package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Durable home of registered tasks and, optionally, of the reference files they were made from.
 * Implementations make every write atomic: after a crash a task is either complete or absent, and a
 * write that fails (full disk, I/O error) is a {@link TaskStoreException} that leaves the stored state
 * as it was.
 * The file store serves one replica; a database-backed store can serve several.
 */
public interface TaskStore {

    /** Writes the task (new or replacing the stored version) atomically. */
    void save(Task task);

    /** The complete task, embeddings included. */
    Optional<Task> find(String id);

    /** Every task without embeddings, oldest first. */
    List<TaskSummary> list();

    /** Removes the task and forgets its reference files; false when there was none. */
    boolean delete(String id);

    /**
     * Keeps an uploaded reference file under its SHA-256 (written atomically; a file with the same
     * content is stored once). Files no task refers to are removed by the store.
     *
     * @return the lower-case hex SHA-256 of the content
     */
    String putReferenceFile(InputStream content) throws IOException;

    /** Opens a kept reference file, if kept. */
    Optional<InputStream> openReferenceFile(String sha256) throws IOException;
}
