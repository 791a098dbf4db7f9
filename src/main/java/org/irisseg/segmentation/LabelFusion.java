package org.irisseg.segmentation;

/**
 * Turns independent per-class probabilities into one label map: a voxel takes the label of the class
 * with the highest probability among those above the threshold (ties: the earlier class), 0 when none.
 */
public final class LabelFusion {

    private LabelFusion() {
    }

    /**
     * @param probabilities K*V values, class-major ({@code [K, X, Y, Z]} in C order)
     * @param labels        label value of each of the K classes
     * @param threshold     a voxel belongs to a class when its probability is strictly above this
     */
    public static Fused fuse(float[] probabilities, int[] labels, double threshold) {
        int classes = labels.length;
        if (classes == 0 || probabilities.length % classes != 0) {
            throw new IllegalArgumentException(probabilities.length + " probabilities for " + classes + " classes");
        }
        int voxels = probabilities.length / classes;
        int[] out = new int[voxels];
        long[] counts = new long[classes];
        for (int i = 0; i < voxels; i++) {
            int best = -1;
            float bestP = 0f;
            for (int k = 0; k < classes; k++) {
                float p = probabilities[k * voxels + i];
                if (p > threshold && (best < 0 || p > bestP)) {
                    best = k;
                    bestP = p;
                }
            }
            if (best >= 0) {
                out[i] = labels[best];
                counts[best]++;
            }
        }
        return new Fused(out, counts);
    }

    /**
     * Binary mask of one class ({@code p > threshold}), for encoding the query's predicted object.
     *
     * @return V values, 1 inside
     */
    public static float[] classMask(float[] probabilities, int classIndex, int voxels, double threshold) {
        float[] mask = new float[voxels];
        int offset = classIndex * voxels;
        for (int i = 0; i < voxels; i++) {
            if (probabilities[offset + i] > threshold) {
                mask[i] = 1f;
            }
        }
        return mask;
    }

    /** Whether a binary mask from {@link #classMask} has a voxel inside. */
    public static boolean anyInside(float[] mask) {
        for (float v : mask) {
            if (v != 0f) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param labels label map, V values in the probabilities' voxel order
     * @param counts voxels per class, in class order
     */
    public record Fused(int[] labels, long[] counts) {
    }
}
