package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import org.irisseg.config.IrisProperties;
import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.model.InferenceMetrics;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ModelRuntime;
import org.irisseg.volume.VolumeUpload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Registers tasks, grows their reference pools and hands them to segmentation. Embeddings are computed
 * once, here; a task encoded by another model version is re-encoded from its kept reference files, or
 * refused when they were not kept, so embeddings of two models are never mixed.
 */
@Service
public class TaskService {

    private static final Logger log = LoggerFactory.getLogger(TaskService.class);
    static final int MAX_NAME_LENGTH = 200;

    private final MemoryBank bank;
    private final TaskStore store;
    private final ReferenceEncoder encoder;
    private final ModelRuntime model;
    private final InferenceMetrics metrics;
    private final IrisProperties properties;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public TaskService(MemoryBank bank, TaskStore store, ReferenceEncoder encoder, ModelRuntime model,
            InferenceMetrics metrics, IrisProperties properties) {
        this.bank = bank;
        this.store = store;
        this.encoder = encoder;
        this.model = model;
        this.metrics = metrics;
        this.properties = properties;
    }

    /**
     * Registers a task from one or more reference pairs.
     *
     * @param labelNames optional label -> class name; every named label must occur in the masks
     */
    public TaskSummary register(String name, List<ReferenceUpload> pairs, Map<Integer, String> labelNames) {
        String cleanName = requireName(name);
        requirePairs(pairs);
        InferenceTimings timings = new InferenceTimings();
        List<ReferenceEncoder.Encoded> encodings = new ArrayList<>();
        List<Integer> labels = null;
        for (int i = 0; i < pairs.size(); i++) {
            ReferenceEncoder.Encoded encoded = encoder.encode(pairs.get(i), "reference " + (i + 1), labels, timings);
            labels = encoded.labels();
            encodings.add(encoded);
        }
        List<TaskClass> classes = classes(labels, labelNames);
        String modelVersion = model.modelVersion();
        List<TaskReference> references = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            references.add(reference(i, pairs.get(i), encodings.get(i), modelVersion));
        }
        references = keepFiles(pairs, references, 0);
        Task task = Task.create(UUID.randomUUID().toString(), cleanName, classes, references, modelVersion,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), properties.memoryBank().emaMomentum());
        bank.save(task);
        metrics.record(timings);
        log.info("Registered task {} ({} classes, {} references)", task.id(), classes.size(), references.size());
        return task.summary();
    }

    /** Adds reference pairs to a task's pool; their masks must hold exactly the task's classes. */
    public TaskSummary addReferences(String id, List<ReferenceUpload> pairs) {
        requirePairs(pairs);
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try {
            Task task = get(id);
            InferenceTimings timings = new InferenceTimings();
            List<Integer> labels = task.classes().stream().map(TaskClass::label).toList();
            int first = task.references().size();
            List<TaskReference> added = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                ReferenceEncoder.Encoded encoded = encoder.encode(pairs.get(i), "reference " + (i + 1), labels,
                        timings);
                added.add(reference(first + i, pairs.get(i), encoded, task.modelVersion()));
            }
            added = keepFiles(pairs, added, first);
            Task grown = task.withReferences(added, properties.memoryBank().emaMomentum());
            bank.save(grown);
            metrics.record(timings);
            return grown.summary();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The task, encoded by the loaded model.
     *
     * @throws IrisException TASK_NOT_FOUND, or MODEL_VERSION_MISMATCH when it was encoded by another model
     *                       and its reference files were not kept
     */
    public Task get(String id) {
        Task task = bank.find(id).orElseThrow(() -> notFound(id));
        String current = model.modelVersion();
        if (task.modelVersion().equals(current)) {
            return task;
        }
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try {
            Task latest = bank.find(id).orElseThrow(() -> notFound(id));
            return latest.modelVersion().equals(current) ? latest : reencode(latest, current);
        } finally {
            lock.unlock();
        }
    }

    /** The task's summary; does not need the model. */
    public TaskSummary summary(String id) {
        return bank.find(id).orElseThrow(() -> notFound(id)).summary();
    }

    public List<TaskSummary> list() {
        return store.list();
    }

    public void delete(String id) {
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try {
            if (!bank.delete(id)) {
                throw notFound(id);
            }
        } finally {
            lock.unlock();
            locks.remove(id);
        }
    }

    private Task reencode(Task task, String current) {
        List<ReferenceUpload> pairs = new ArrayList<>();
        for (TaskReference r : task.references()) {
            if (!isKept(r.imageSha256()) || !isKept(r.maskSha256())) {
                throw new IrisException(ProblemType.MODEL_VERSION_MISMATCH, "Task " + task.id() + " was encoded by "
                        + task.modelVersion() + " and this service runs " + current + "; its reference files were"
                        + " not kept, so register the task again");
            }
            pairs.add(new ReferenceUpload(kept(r.filename(), r.imageSha256()), kept(r.filename(), r.maskSha256())));
        }
        log.info("Re-encoding task {} from {} to {}", task.id(), task.modelVersion(), current);
        InferenceTimings timings = new InferenceTimings();
        List<Integer> labels = task.classes().stream().map(TaskClass::label).toList();
        List<TaskReference> references = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            ReferenceEncoder.Encoded encoded = encoder.encode(pairs.get(i), "kept reference " + (i + 1), labels,
                    timings);
            TaskReference old = task.references().get(i);
            references.add(new TaskReference(old.index(), old.filename(), old.imageSha256(), old.maskSha256(),
                    encoded.shape(), current, encoded.embeddings()));
        }
        Task reencoded = Task.create(task.id(), task.name(), task.classes(), references, current, task.createdAt(),
                properties.memoryBank().emaMomentum());
        bank.save(reencoded);
        metrics.record(timings);
        return reencoded;
    }

    private boolean isKept(String sha256) {
        try {
            Optional<InputStream> in = store.openReferenceFile(sha256);
            if (in.isPresent()) {
                in.get().close();
                return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private VolumeUpload kept(String filename, String sha256) {
        return new VolumeUpload(filename, () -> store.openReferenceFile(sha256)
                .orElseThrow(() -> new IOException("kept reference file " + sha256 + " disappeared")));
    }

    /** Stores the uploaded files (when configured) and records their hashes in the references. */
    private List<TaskReference> keepFiles(List<ReferenceUpload> pairs, List<TaskReference> references, int first) {
        if (!properties.store().keepReferences()) {
            return references;
        }
        List<TaskReference> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            TaskReference r = references.get(i);
            String image = put(pairs.get(i).image());
            String mask = put(pairs.get(i).mask());
            out.add(new TaskReference(first + i, r.filename(), image, mask, r.shape(), r.modelVersion(),
                    r.embeddings()));
        }
        return out;
    }

    private String put(VolumeUpload upload) {
        try (InputStream in = upload.open()) {
            return store.putReferenceFile(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep a reference file", e);
        }
    }

    private static TaskReference reference(int index, ReferenceUpload pair, ReferenceEncoder.Encoded encoded,
            String modelVersion) {
        return new TaskReference(index, pair.image().displayName(), "", "", encoded.shape(), modelVersion,
                encoded.embeddings());
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
        if (trimmed.length() > MAX_NAME_LENGTH || trimmed.chars().anyMatch(Character::isISOControl)) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'name' must be at most " + MAX_NAME_LENGTH
                    + " printable characters");
        }
        return trimmed;
    }

    private static void requirePairs(List<ReferenceUpload> pairs) {
        if (pairs == null || pairs.isEmpty()) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "At least one reference image and mask is required");
        }
    }

    private ReentrantLock lockOf(String id) {
        return locks.computeIfAbsent(id, k -> new ReentrantLock());
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
