package org.irisseg.task;

import java.util.BitSet;
import java.util.List;

import org.irisseg.error.IrisException;
import org.irisseg.error.Messages;
import org.irisseg.error.ProblemType;
import org.irisseg.nifti.NiftiWriter;

/** The distinct non-zero labels of a label map (values already checked to be whole and non-negative). */
final class LabelSet {

    private LabelSet() {
    }

    /** Sorted distinct non-zero labels of {@code labels}. */
    static List<Integer> of(float[] labels, String role) {
        BitSet seen = new BitSet();
        for (float value : labels) {
            if (value != 0f) {
                if (value > NiftiWriter.MAX_LABEL) {
                    throw new IrisException(ProblemType.INVALID_VALUES, Messages.capitalised(role) + " has label "
                            + (long) value + "; labels must be between 1 and " + NiftiWriter.MAX_LABEL);
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
}
