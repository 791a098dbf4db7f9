package org.irisseg.task;

import java.util.Arrays;
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

    /**
     * This focus with every embedding equal to the reference's whole-volume one of its label replaced by that
     * array: where the focus box is the whole volume the two are equal, and the task cache then holds and
     * weighs them once (the stores still write both, which readers of every version expect).
     */
    ReferenceFocus sharing(Map<Integer, float[]> whole) {
        Map<Integer, float[]> shared = new TreeMap<>(embeddings);
        boolean changed = false;
        for (Map.Entry<Integer, float[]> e : shared.entrySet()) {
            float[] same = whole.get(e.getKey());
            if (same != null && same != e.getValue() && Arrays.equals(same, e.getValue())) {
                e.setValue(same);
                changed = true;
            }
        }
        return changed ? new ReferenceFocus(sideMm, shared) : this;
    }
}
