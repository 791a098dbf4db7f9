package org.irisseg.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A registered segmentation task: its classes and its pool of reference embeddings. Immutable; every
 * reference has an embedding for every class.
 *
 * @param tenant       the tenant that owns the task: only its callers see and use it
 * @param modelVersion {@code name@version} of the model every embedding of this task came from
 */
public record Task(
        String id,
        String tenant,
        String name,
        List<TaskClass> classes,
        List<TaskReference> references,
        String modelVersion,
        Instant createdAt) {

    /** Tenant of tasks stored before tasks had one, and of every call while security is disabled. */
    public static final String DEFAULT_TENANT = "default";

    public Task {
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("Task " + id + " has no tenant");
        }
        classes = List.copyOf(classes);
        references = List.copyOf(references);
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

    /** This task with more references, numbered after its own. */
    public Task withReferences(List<TaskReference> added) {
        List<TaskReference> all = new ArrayList<>(references);
        for (TaskReference reference : added) {
            all.add(reference.withIndex(all.size()));
        }
        return new Task(id, tenant, name, classes, all, modelVersion, createdAt);
    }

    /** This task with its kept reference files under new keys ({@code renamed}: old key -> new key). */
    public Task withFilesRenamed(Map<String, String> renamed) {
        List<TaskReference> all = references.stream()
                .map(r -> r.withFiles(renamed.getOrDefault(r.imageSha256(), r.imageSha256()),
                        renamed.getOrDefault(r.maskSha256(), r.maskSha256())))
                .toList();
        return new Task(id, tenant, name, classes, all, modelVersion, createdAt);
    }

    /** Whether every reference was encoded inside its focus box too. */
    public boolean hasFocus() {
        return references.stream().allMatch(TaskReference::hasFocus);
    }

    /**
     * This task as its references were encoded inside their focus boxes ({@link TaskReference#focused()}):
     * its one-shot, ensemble and retrieval embeddings are those of the focus boxes.
     *
     * @throws IllegalStateException when a reference has no focus embeddings
     */
    public Task focused() {
        return new Task(id, tenant, name, classes, references.stream().map(TaskReference::focused).toList(),
                modelVersion, createdAt);
    }

    /** The label of every class, in class order. */
    public List<Integer> labels() {
        return classes.stream().map(TaskClass::label).toList();
    }

    /** Every reference embedding of a class, in pool order. */
    public List<float[]> embeddings(int label) {
        List<float[]> out = new ArrayList<>(references.size());
        for (TaskReference reference : references) {
            out.add(reference.embedding(label));
        }
        return out;
    }

    /** The recorded volume of a class in every reference that has one, in pool order (mL). */
    public List<Double> referenceVolumesMl(int label) {
        List<Double> out = new ArrayList<>(references.size());
        for (TaskReference reference : references) {
            reference.volumeMl(label).ifPresent(out::add);
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
        return new TaskSummary(id, tenant, name, classes, references.size(), modelVersion, createdAt);
    }

    /** Approximate heap bytes, the weight of this task in the {@link TaskCache}. */
    public long sizeBytes() {
        long bytes = 512;
        for (TaskReference reference : references) {
            bytes += 256 + reference.embeddingBytes();
        }
        return bytes;
    }
}
