package org.irisseg.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A registered segmentation task: its classes, its pool of reference embeddings and, per class, the
 * EMA summary of those embeddings (the memory bank of the paper). Immutable; every reference has an
 * embedding for every class.
 *
 * @param ema          label -> EMA of the class's reference embeddings in registration order
 * @param modelVersion {@code name@version} of the model every embedding of this task came from
 */
public record Task(
        String id,
        String name,
        List<TaskClass> classes,
        List<TaskReference> references,
        Map<Integer, float[]> ema,
        String modelVersion,
        Instant createdAt) {

    public Task {
        classes = List.copyOf(classes);
        references = List.copyOf(references);
        ema = Collections.unmodifiableMap(new TreeMap<>(ema));
        for (TaskReference reference : references) {
            if (!reference.modelVersion().equals(modelVersion)) {
                throw new IllegalArgumentException("Reference " + reference.index() + " was encoded by "
                        + reference.modelVersion() + ", the task by " + modelVersion);
            }
            for (TaskClass c : classes) {
                reference.embedding(c.label());
            }
        }
    }

    /** A new task whose EMA summaries start from (and are updated with) its references in order. */
    public static Task create(String id, String name, List<TaskClass> classes, List<TaskReference> references,
            String modelVersion, Instant createdAt, double momentum) {
        return new Task(id, name, classes, references, ema(Map.of(), classes, references, momentum),
                modelVersion, createdAt);
    }

    /** This task with more references; the EMA summaries move towards the new embeddings. */
    public Task withReferences(List<TaskReference> added, double momentum) {
        List<TaskReference> all = new ArrayList<>(references);
        all.addAll(added);
        return new Task(id, name, classes, all, ema(ema, classes, added, momentum), modelVersion, createdAt);
    }

    private static Map<Integer, float[]> ema(Map<Integer, float[]> start, List<TaskClass> classes,
            List<TaskReference> references, double momentum) {
        Map<Integer, float[]> out = new TreeMap<>(start);
        for (TaskReference reference : references) {
            for (TaskClass c : classes) {
                out.put(c.label(), EmbeddingMath.emaUpdate(out.get(c.label()), reference.embedding(c.label()),
                        momentum));
            }
        }
        return out;
    }

    /** Every reference embedding of a class, in pool order. */
    public List<float[]> embeddings(int label) {
        List<float[]> out = new ArrayList<>(references.size());
        for (TaskReference reference : references) {
            out.add(reference.embedding(label));
        }
        return out;
    }

    /** The class with this label or name. */
    public Optional<TaskClass> findClass(String labelOrName) {
        for (TaskClass c : classes) {
            if (c.name().equals(labelOrName) || String.valueOf(c.label()).equals(labelOrName.trim())) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    public TaskSummary summary() {
        return new TaskSummary(id, name, classes, references.size(), modelVersion, createdAt);
    }

    /** Approximate heap bytes, the weight of this task in the memory bank. */
    public long sizeBytes() {
        long bytes = 512;
        for (TaskReference reference : references) {
            bytes += 256 + reference.embeddingBytes();
        }
        for (float[] e : ema.values()) {
            bytes += 16L + 4L * e.length;
        }
        return bytes;
    }
}
