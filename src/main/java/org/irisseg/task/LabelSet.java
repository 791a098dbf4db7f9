package org.irisseg.task;

import java.util.BitSet;
import java.util.List;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;

/** The distinct non-zero labels of a label map (values already checked to be whole and non-negative). */
final class LabelSet {

    /** Largest label a returned label map can hold (uint16). */
    static final int MAX_LABEL = 65535;

    private LabelSet() {
    }

    /** Sorted distinct non-zero labels of {@code labels}. */
    static List<Integer> of(float[] labels, String role) {
        BitSet seen = new BitSet();
        for (float value : labels) {
            if (value != 0f) {
                if (value > MAX_LABEL) {
                    throw new IrisException(ProblemType.INVALID_VALUES, capitalised(role) + " has label "
                            + (long) value + "; labels must be between 1 and " + MAX_LABEL);
                }
                seen.set((int) value);
            }
        }
        return seen.stream().boxed().toList();
    }

    /**
     * Binary masks of the given labels, K*V values in C order ({@code [1, K, X, Y, Z]} for the task
     * encoder).
     */
    static float[] binaryMasks(float[] labels, List<Integer> classes) {
        int voxels = labels.length;
        float[] masks = new float[classes.size() * voxels];
        for (int k = 0; k < classes.size(); k++) {
            float label = classes.get(k);
            int offset = k * voxels;
            for (int i = 0; i < voxels; i++) {
                if (labels[i] == label) {
                    masks[offset + i] = 1f;
                }
            }
        }
        return masks;
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
