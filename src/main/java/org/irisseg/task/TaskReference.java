package org.irisseg.task;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * One reference image-mask pair of a task and its embeddings, computed once at registration.
 *
 * <p>No file name is kept: an upload's name often carries a patient's name or record number.
 *
 * @param index        position in the task's reference pool (0-based, registration order)
 * @param imageSha256  SHA-256 of the kept image file, re-written from the decoded volume (the key it is kept
 *                     under); of the uploaded file when reference files are not kept
 * @param maskSha256   the same for the mask
 * @param shape        canonical [X, Y, Z] of the reference
 * @param modelVersion {@code name@version} of the model that computed the embeddings
 * @param embeddings   label -> embedding (length E); one entry per class of the task
 * @param volumesMl    label -> volume of that class in the reference mask, in mL; empty for references
 *                     registered before volumes were recorded
 * @param focus        the reference encoded inside its focus box; null for references registered before
 *                     focus boxes were encoded
 */
public record TaskReference(
        int index,
        String imageSha256,
        String maskSha256,
        int[] shape,
        String modelVersion,
        Map<Integer, float[]> embeddings,
        Map<Integer, Double> volumesMl,
        ReferenceFocus focus) {

    public TaskReference {
        shape = shape.clone();
        embeddings = Collections.unmodifiableMap(new TreeMap<>(embeddings));
        volumesMl = volumesMl == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(volumesMl));
        if (focus != null && !focus.labels().equals(List.copyOf(embeddings.keySet()))) {
            throw new IllegalArgumentException("Reference " + index + " has focus embeddings for labels "
                    + focus.labels() + " and embeddings for " + embeddings.keySet());
        }
        if (focus != null) {
            focus = focus.sharing(embeddings);
        }
    }

    /** A reference without focus embeddings. */
    public TaskReference(int index, String imageSha256, String maskSha256, int[] shape,
            String modelVersion, Map<Integer, float[]> embeddings, Map<Integer, Double> volumesMl) {
        this(index, imageSha256, maskSha256, shape, modelVersion, embeddings, volumesMl, null);
    }

    /** A reference whose class volumes are not known. */
    public TaskReference(int index, String imageSha256, String maskSha256, int[] shape,
            String modelVersion, Map<Integer, float[]> embeddings) {
        this(index, imageSha256, maskSha256, shape, modelVersion, embeddings, Map.of(), null);
    }

    /** Whether the reference was encoded inside its focus box too. */
    public boolean hasFocus() {
        return focus != null;
    }

    /** The volume of a class in this reference's mask, if it was recorded. */
    public OptionalDouble volumeMl(int label) {
        Double v = volumesMl.get(label);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /**
     * This reference as encoded inside its focus box: its focus embeddings in place of its embeddings.
     *
     * @throws IllegalStateException when it has no focus embeddings
     */
    public TaskReference focused() {
        if (focus == null) {
            throw new IllegalStateException("Reference " + index + " has no focus embeddings");
        }
        return new TaskReference(index, imageSha256, maskSha256, shape, modelVersion, focus.embeddings(), volumesMl,
                focus);
    }

    /** This reference at another position of a pool. */
    public TaskReference withIndex(int position) {
        return position == index ? this
                : new TaskReference(position, imageSha256, maskSha256, shape, modelVersion, embeddings,
                        volumesMl, focus);
    }

    /** This reference with its files kept under other keys (re-written files). */
    public TaskReference withFiles(String image, String mask) {
        return new TaskReference(index, image, mask, shape, modelVersion, embeddings, volumesMl, focus);
    }

    /** The labels this reference has embeddings for, ascending. */
    public List<Integer> labels() {
        return List.copyOf(embeddings.keySet());
    }

    public float[] embedding(int label) {
        float[] e = embeddings.get(label);
        if (e == null) {
            throw new IllegalArgumentException("Reference " + index + " has no embedding for label " + label);
        }
        return e;
    }

    /** Bytes held by the embeddings; a focus embedding equal to the whole one is the same array, counted once. */
    long embeddingBytes() {
        long bytes = 0;
        for (Map.Entry<Integer, float[]> e : embeddings.entrySet()) {
            bytes += 16L + 4L * e.getValue().length;
            if (focus != null && focus.embedding(e.getKey()) != e.getValue()) {
                bytes += 16L + 4L * focus.embedding(e.getKey()).length;
            }
        }
        return bytes;
    }
}
