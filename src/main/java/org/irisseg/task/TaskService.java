package org.irisseg.task;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.model.InferenceMetrics;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ModelRuntime;
import org.irisseg.util.PrintableText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Registers tasks, grows their reference pools and hands them to segmentation. Every task belongs to the
 * tenant that registered it, and every operation names the caller's tenant: another tenant's task is
 * answered exactly as a missing one (404), so no caller learns that it exists. Embeddings are computed
 * once, here; a task encoded by another model version is re-encoded from its kept reference files, or
 * refused when they were not kept, so embeddings of two models are never mixed.
 */
@Service
public class TaskService {

    private static final Logger log = LoggerFactory.getLogger(TaskService.class);
    static final int MAX_NAME_LENGTH = 200;
    /** Tries of a change that another replica's re-encoding of the same task can overtake. */
    static final int MAX_ATTEMPTS = 3;

    private final TaskCache cache;
    private final TaskStore store;
    private final ReferenceEncoder encoder;
    private final TaskReencoder reencoder;
    private final ModelRuntime model;
    private final InferenceMetrics metrics;
    private final KeptReferences kept;
    private final TaskLocks locks = new TaskLocks();

    TaskService(TaskCache cache, TaskStore store, ReferenceEncoder encoder, TaskReencoder reencoder,
            ModelRuntime model, InferenceMetrics metrics, KeptReferences kept) {
        this.cache = cache;
        this.store = store;
        this.encoder = encoder;
        this.reencoder = reencoder;
        this.model = model;
        this.metrics = metrics;
        this.kept = kept;
    }

    /**
     * Registers a task of the tenant from one or more reference pairs.
     *
     * @param labelNames optional label -> class name; every named label must occur in the masks
     */
    public TaskSummary register(String tenant, String name, List<ReferenceUpload> pairs,
            Map<Integer, String> labelNames) {
        String cleanName = requireName(name);
        List<HashedPair> hashed = hashed(pairs);
        String modelVersion = model.modelVersion();
        InferenceTimings timings = new InferenceTimings();
        List<TaskReference> references = encoder.encodeAll(hashed, "reference", null, 0, modelVersion, timings,
                kept.keeper());
        List<TaskClass> classes = classes(references.get(0).labels(), labelNames);
        Task task = new Task(UUID.randomUUID().toString(), tenant, cleanName, classes, references, modelVersion,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        cache.save(task);
        metrics.record(timings);
        log.info("Registered task {} ({} classes, {} references)", task.id(), classes.size(), references.size());
        return task.summary();
    }

    /**
     * Adds reference pairs to a task's pool; their masks must hold exactly the task's classes. Additions
     * are encoded side by side (each waits only within the inference queue's bounds) and the store
     * appends each atomically after whatever the pool holds by then, so concurrent additions, on this
     * replica or others, all land; should another replica re-encode the task with another model meanwhile,
     * they are encoded again.
     */
    public TaskSummary addReferences(String tenant, String id, List<ReferenceUpload> pairs) {
        List<HashedPair> hashed = hashed(pairs);
        for (int attempt = 1; ; attempt++) {
            Task task = get(tenant, id);
            InferenceTimings timings = new InferenceTimings();
            List<TaskReference> added = encoder.encodeAll(hashed, "reference", task.labels(),
                    task.references().size(), task.modelVersion(), timings, kept.keeper());
            try {
                Task grown = cache.addReferences(id, task.modelVersion(), added).orElseThrow(() -> notFound(id));
                metrics.record(timings);
                return grown.summary();
            } catch (TaskChangedException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw modelChanging(id);
                }
                log.info("Task {} changed while references were encoded ({}); encoding them again", id,
                        e.getMessage());
            }
        }
    }

    /**
     * The tenant's task, encoded by the loaded model.
     *
     * @throws IrisException TASK_NOT_FOUND (also for another tenant's task), or MODEL_VERSION_MISMATCH when
     *                       it was encoded by another model and its reference files were not kept
     */
    public Task get(String tenant, String id) {
        Task task = find(tenant, id);
        String current = model.modelVersion();
        if (task.modelVersion().equals(current)) {
            return task;
        }
        try (TaskLocks.Held held = locks.lock(id)) {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                Task latest = find(tenant, id);
                if (latest.modelVersion().equals(current)) {
                    return latest;
                }
                Optional<Task> reencoded = reencoder.reencode(latest, current);
                if (reencoded.isPresent()) {
                    return reencoded.get();
                }
            }
            throw modelChanging(id);
        }
    }

    /**
     * The tenant's task, encoded by the loaded model, with every reference encoded inside its focus box too:
     * a task registered before focus boxes were encoded is re-encoded from its kept reference files.
     *
     * @throws IrisException as {@link #get}, or FOCUS_UNAVAILABLE when such a task's files were not kept
     */
    public Task getFocused(String tenant, String id) {
        Task task = get(tenant, id);
        if (task.hasFocus()) {
            return task;
        }
        String current = model.modelVersion();
        try (TaskLocks.Held held = locks.lock(id)) {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                Task latest = find(tenant, id);
                if (latest.modelVersion().equals(current) && latest.hasFocus()) {
                    return latest;
                }
                if (!reencoder.canReencode(latest)) {
                    throw new IrisException(ProblemType.FOCUS_UNAVAILABLE, "Task " + id + " was registered before"
                            + " references were encoded inside focus boxes and its reference files were not kept (or"
                            + " their retention ended): segment it without focus, or register it again");
                }
                Optional<Task> reencoded = reencoder.reencode(latest, current);
                if (reencoded.isPresent()) {
                    return reencoded.get();
                }
            }
            throw modelChanging(id);
        }
    }

    /** The tenant's task's summary; does not need the model. */
    public TaskSummary summary(String tenant, String id) {
        return find(tenant, id).summary();
    }

    /** One page of the tenant's tasks, oldest first. */
    public List<TaskSummary> list(String tenant, long offset, int limit) {
        return store.list(tenant, offset, limit);
    }

    /** How many tasks the tenant has. */
    public long count(String tenant) {
        return store.count(tenant);
    }

    /** Deletes the tenant's task and, at once, the kept reference files no other task uses. */
    public void delete(String tenant, String id) {
        find(tenant, id);
        try (TaskLocks.Held held = locks.lock(id)) {
            if (!cache.delete(id)) {
                throw notFound(id);
            }
        }
    }

    /** Task ids whose lock is held or waited for now (for tests: requests leave none behind). */
    int lockedIds() {
        return locks.size();
    }

    /** The task if it exists and belongs to the tenant; otherwise not found, the same for both. */
    private Task find(String tenant, String id) {
        return cache.find(id).filter(task -> task.tenant().equals(tenant)).orElseThrow(() -> notFound(id));
    }

    /** The pairs with the SHA-256 of their files, before anything is read as NIfTI. */
    private static List<HashedPair> hashed(List<ReferenceUpload> pairs) {
        if (pairs == null || pairs.isEmpty()) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "At least one reference image and mask is required");
        }
        return pairs.stream().map(HashedPair::of).toList();
    }

    private static List<TaskClass> classes(List<Integer> labels, Map<Integer, String> names) {
        Map<Integer, String> given = names == null ? Map.of() : names;
        for (Map.Entry<Integer, String> entry : given.entrySet()) {
            if (!labels.contains(entry.getKey())) {
                throw new IrisException(ProblemType.EMPTY_MASK, "Label " + entry.getKey() + " ('" + entry.getValue()
                        + "') is named in 'labels' but no mask has a voxel with that value");
            }
        }
        return labels.stream().map(l -> new TaskClass(l, given.getOrDefault(l, "label-" + l))).toList();
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'name' is required");
        }
        String trimmed = name.strip();
        PrintableText.fault(trimmed, MAX_NAME_LENGTH).ifPresent(fault -> {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'name' must be at most " + MAX_NAME_LENGTH
                    + " printable characters without bidirectional controls; it " + fault);
        });
        return trimmed;
    }

    /** Replicas running different models keep re-encoding the task (a rollout in progress). */
    private static IrisException modelChanging(String id) {
        return new IrisException(ProblemType.MODEL_VERSION_MISMATCH, "Task " + safe(id) + " is being re-encoded"
                + " by replicas that run another model (a rollout in progress?); try again when it is done");
    }

    private static IrisException notFound(String id) {
        return new IrisException(ProblemType.TASK_NOT_FOUND, "No task with id '" + safe(id) + "'");
    }

    /** An id as it may be echoed back: short and printable. */
    static String safe(String id) {
        String s = id == null ? "" : id.replaceAll("[^A-Za-z0-9_-]", "?");
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
