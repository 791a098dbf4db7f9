package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Durable home of registered tasks and, optionally, of the reference files they were made from.
 * Implementations make every write atomic: after a crash a task is either complete or absent, and a
 * write that fails (full disk, I/O error) is a {@link TaskStoreException} that leaves the stored state
 * as it was.
 * The file store serves one replica; a database-backed store can serve several, and then every change is
 * made by one transaction and concurrent changes to one task serialise.
 */
public interface TaskStore {

    /** Writes the task (new or replacing the stored version) atomically. */
    void save(Task task);

    /** The complete task, embeddings included. */
    Optional<Task> find(String id);

    /**
     * Appends references to the stored pool in one atomic change, numbered after the references stored
     * now (so concurrent appends from several replicas all land).
     *
     * @param modelVersion the model that encoded {@code added}
     * @return the task as stored after the change; empty when there is no such task
     * @throws TaskChangedException when the stored task is encoded by another model
     */
    Optional<Task> addReferences(String id, String modelVersion, List<TaskReference> added);

    /**
     * Replaces {@code previous} by {@code next} (the same task re-encoded) only if the stored task is still
     * {@code previous}: same model and same number of references.
     *
     * @return false, changing nothing, when the stored task changed meanwhile or is gone
     */
    boolean replace(Task previous, Task next);

    /**
     * A number that changes with every change of the stored task, to tell whether a cached copy is current;
     * empty when there is no such task. A store that serves one process may answer a constant.
     */
    OptionalLong revision(String id);

    /**
     * One page of a tenant's tasks without embeddings, oldest first (then by id).
     *
     * @param offset tasks of the tenant skipped, at least 0
     * @param limit  most tasks answered, at least 1
     */
    List<TaskSummary> list(String tenant, long offset, int limit);

    /** How many tasks the tenant has. */
    long count(String tenant);

    /**
     * Removes the task and, at once, its kept reference files that no other task (and no registration in
     * progress) uses; false when there was none.
     */
    boolean delete(String id);

    /**
     * Keeps a reference file, as re-written by {@link ReferenceRewriter} (never an upload's bytes), under its
     * SHA-256 (written atomically; a file with the same content is stored once, and keeping it again starts
     * its retention anew). Files no task refers to are removed by the store.
     *
     * @return the lower-case hex SHA-256 of the content
     */
    String putReferenceFile(InputStream content) throws IOException;

    /**
     * Removes the kept reference files last kept longer ago than {@code iris.store.reference-retention}
     * (none when it is unset); their tasks keep working from their embeddings, like tasks whose files were
     * never kept. Runs at start-up and periodically ({@link ReferenceRetention}).
     *
     * @return how many were removed
     */
    int removeExpiredReferenceFiles();

    /** Opens a kept reference file, if kept. */
    Optional<InputStream> openReferenceFile(String sha256) throws IOException;
}
