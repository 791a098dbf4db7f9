package org.irisseg.task;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A reference encoded inside its focus box: the box of the focus policy ({@code training/irisseg/boxes.py},
 * mirrored by {@link org.irisseg.model.FocusPolicy}) around all its classes, a cube of
 * {@code sideMm} millimetres clamped to the volume. A focused segmentation locates the object with these
 * embeddings on the whole query, then segments again inside a box of this side around what it found.
 *
 * @param sideMm     the box side, mm (before clamping to the reference volume)
 * @param embeddings label -> embedding (length E) of the class encoded inside the box; one per class
 */
public record ReferenceFocus(double sideMm, Map<Integer, float[]> embeddings) {

    public ReferenceFocus {
        if (!(sideMm > 0) || Double.isInfinite(sideMm)) {
            throw new IllegalArgumentException("a focus box side must be a positive number of mm, not " + sideMm);
        }
        embeddings = Collections.unmodifiableMap(new TreeMap<>(embeddings));
    }

    /** The labels this focus has embeddings for, ascending. */
    public List<Integer> labels() {
        return List.copyOf(embeddings.keySet());
    }

    public float[] embedding(int label) {
        float[] e = embeddings.get(label);
        if (e == null) {
            throw new IllegalArgumentException("The focus embeddings have no label " + label);
        }
        return e;
    }

    /** Bytes held by the embeddings. */
    long embeddingBytes() {
        long bytes = 0;
        for (float[] e : embeddings.values()) {
            bytes += 16L + 4L * e.length;
        }
        return bytes;
    }
}
