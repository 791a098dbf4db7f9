package org.irisseg.segmentation;

import org.irisseg.model.Box;
import org.irisseg.model.ClassRegion;

/**
 * {@link LabelFusion}'s rule applied one class at a time: a voxel takes the class with the highest
 * probability among those strictly above the threshold (ties: the earlier class), 0 when none. Classes
 * arrive as {@link ClassRegion}s, in class order, each holding the class's probabilities where they can
 * exceed the threshold, so the fused map needs two volume-sized arrays (the winning class and its
 * probability) whatever the number of classes, instead of K probability maps.
 */
final class RegionFusion {

    private final int[] shape;
    private final int classes;
    private final int[] winner;
    private float[] best;
    private int next;

    /**
     * @param shape   canonical [X, Y, Z]; at most {@link Integer#MAX_VALUE} voxels in all
     * @param classes K
     */
    RegionFusion(int[] shape, int classes) {
        long voxels = (long) shape[0] * shape[1] * shape[2];
        if (voxels > Integer.MAX_VALUE - 8 || classes < 1) {
            throw new IllegalArgumentException(voxels + " voxels and " + classes + " classes cannot be fused");
        }
        this.shape = shape.clone();
        this.classes = classes;
        this.winner = new int[(int) voxels];
        this.best = new float[(int) voxels];
    }

    /** Adds the next class (class indices arrive in order 0, 1, ...). */
    void add(int classIndex, ClassRegion region, double threshold) {
        if (classIndex != next || best == null) {
            throw new IllegalStateException("class " + classIndex + " given when class " + next + " was due");
        }
        next++;
        Box b = region.box();
        float[] values = region.values();
        int i = 0;
        for (int x = b.x0(); x < b.x1(); x++) {
            for (int y = b.y0(); y < b.y1(); y++) {
                int base = (x * shape[1] + y) * shape[2];
                for (int z = b.z0(); z < b.z1(); z++, i++) {
                    float p = values[i];
                    if (p > threshold) {
                        int v = base + z;
                        if (winner[v] == 0 || p > best[v]) {
                            winner[v] = classIndex + 1;
                            best[v] = p;
                        }
                    }
                }
            }
        }
    }

    /**
     * The label map (the winner array, rewritten in place to label values) with per class its voxel count,
     * mean probability inside its voxels and the box around them.
     */
    Fused finish(int[] labelValues) {
        if (next != classes || labelValues.length != classes) {
            throw new IllegalStateException(next + " of " + classes + " classes fused");
        }
        long[] counts = new long[classes];
        double[] sums = new double[classes];
        int[][] bounds = new int[classes][];
        int v = 0;
        for (int x = 0; x < shape[0]; x++) {
            for (int y = 0; y < shape[1]; y++) {
                for (int z = 0; z < shape[2]; z++, v++) {
                    int c = winner[v] - 1;
                    if (c < 0) {
                        continue;
                    }
                    counts[c]++;
                    sums[c] += best[v];
                    int[] r = bounds[c];
                    if (r == null) {
                        bounds[c] = new int[] {x, x, y, y, z, z};
                    } else {
                        r[1] = x;
                        r[2] = Math.min(r[2], y);
                        r[3] = Math.max(r[3], y);
                        r[4] = Math.min(r[4], z);
                        r[5] = Math.max(r[5], z);
                    }
                    winner[v] = labelValues[c];
                }
            }
        }
        best = null;
        double[] means = new double[classes];
        Box[] boxes = new Box[classes];
        for (int c = 0; c < classes; c++) {
            means[c] = counts[c] == 0 ? 0 : sums[c] / counts[c];
            int[] r = bounds[c];
            boxes[c] = r == null ? new Box(0, 0, 0, 0, 0, 0) : new Box(r[0], r[1] + 1, r[2], r[3] + 1, r[4], r[5] + 1);
        }
        return new Fused(winner, counts, means, boxes);
    }

    /**
     * @param labels            label map in canonical C order
     * @param counts            voxels per class, in class order
     * @param meanProbabilities per class, the mean probability inside its voxels (0 when none)
     * @param boxes             per class, the box around its voxels (empty when none)
     */
    record Fused(int[] labels, long[] counts, double[] meanProbabilities, Box[] boxes) {
    }
}
