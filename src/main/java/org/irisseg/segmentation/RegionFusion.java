package org.irisseg.segmentation;

import java.util.Arrays;

import org.irisseg.model.Box;
import org.irisseg.model.ClassRegion;

/**
 * {@link LabelFusion}'s rule applied one class at a time: a voxel takes the class with the highest
 * probability among those strictly above the threshold (ties: the earlier class), 0 when none. Classes
 * arrive as {@link ClassRegion}s, in class order, each holding the class's probabilities where they can
 * exceed the threshold, so the fused map needs two volume-sized arrays (the winning class and its
 * probability) whatever the number of classes, instead of K probability maps.
 *
 * <p>Locate, then focus: the fusion also finds the bounds of the voxels where some class exceeds a found
 * threshold (the coarse pass), and {@link #focus} starts the fusion again inside a box, whose classes then
 * arrive in the box's coordinates: the probabilities of the focused pass pasted over the coarse pass's.
 */
final class RegionFusion {

    private final int[] shape;
    private final int classes;
    private final int[] winner;
    private final double foundThreshold;
    private final int[] found = {Integer.MAX_VALUE, -1, Integer.MAX_VALUE, -1, Integer.MAX_VALUE, -1};
    private float[] best;
    private int next;
    private Box offset;

    /**
     * @param shape   canonical [X, Y, Z]; at most {@link Integer#MAX_VALUE} voxels in all
     * @param classes K
     */
    RegionFusion(int[] shape, int classes) {
        this(shape, classes, Double.POSITIVE_INFINITY);
    }

    /**
     * @param foundThreshold {@link #found()} bounds the voxels where a class given to {@link #add} exceeds it
     *                       (its regions must hold every such voxel)
     */
    RegionFusion(int[] shape, int classes, double foundThreshold) {
        long voxels = (long) shape[0] * shape[1] * shape[2];
        if (voxels > Integer.MAX_VALUE - 8 || classes < 1) {
            throw new IllegalArgumentException(voxels + " voxels and " + classes + " classes cannot be fused");
        }
        this.shape = shape.clone();
        this.classes = classes;
        this.winner = new int[(int) voxels];
        this.best = new float[(int) voxels];
        this.foundThreshold = foundThreshold;
        this.offset = Box.whole(shape);
    }

    /** Adds the next class (class indices arrive in order 0, 1, ...). */
    void add(int classIndex, ClassRegion region, double threshold) {
        if (classIndex != next || best == null) {
            throw new IllegalStateException("class " + classIndex + " given when class " + next + " was due");
        }
        next++;
        Box b = region.box();
        if (!b.within(offset.shape())) {
            throw new IllegalArgumentException("region " + b + " outside " + offset);
        }
        float[] values = region.values();
        int ox = offset.x0();
        int oy = offset.y0();
        int oz = offset.z0();
        int i = 0;
        for (int x = b.x0() + ox, xEnd = b.x1() + ox; x < xEnd; x++) {
            for (int y = b.y0() + oy, yEnd = b.y1() + oy; y < yEnd; y++) {
                int base = (x * shape[1] + y) * shape[2];
                for (int z = b.z0() + oz, zEnd = b.z1() + oz; z < zEnd; z++, i++) {
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
        if (foundThreshold < Double.POSITIVE_INFINITY) {
            markFound(b, values);
        }
    }

    /** Widens the found bounds by the region's voxels above the found threshold (before {@link #focus}). */
    private void markFound(Box b, float[] values) {
        int i = 0;
        for (int x = b.x0(); x < b.x1(); x++) {
            for (int y = b.y0(); y < b.y1(); y++) {
                for (int z = b.z0(); z < b.z1(); z++, i++) {
                    if (values[i] > foundThreshold) {
                        markFound(x + offset.x0(), y + offset.y0(), z + offset.z0());
                    }
                }
            }
        }
    }

    private void markFound(int x, int y, int z) {
        found[0] = Math.min(found[0], x);
        found[1] = Math.max(found[1], x);
        found[2] = Math.min(found[2], y);
        found[3] = Math.max(found[3], y);
        found[4] = Math.min(found[4], z);
        found[5] = Math.max(found[5], z);
    }

    /** The box around the voxels where a class given so far exceeded the found threshold (empty when none). */
    Box found() {
        return found[1] < 0 ? new Box(0, 0, 0, 0, 0, 0)
                : new Box(found[0], found[1] + 1, found[2], found[3] + 1, found[4], found[5] + 1);
    }

    /**
     * Starts the fusion again inside {@code box} once every class has been added: the box's voxels are
     * cleared, and the classes, again from class 0, arrive in the box's coordinates.
     */
    void focus(Box box) {
        if (next != classes || best == null || !box.within(shape)) {
            throw new IllegalStateException("focus on " + box + " after " + next + " of " + classes + " classes");
        }
        for (int x = box.x0(); x < box.x1(); x++) {
            for (int y = box.y0(); y < box.y1(); y++) {
                int base = (x * shape[1] + y) * shape[2];
                Arrays.fill(winner, base + box.z0(), base + box.z1(), 0);
                Arrays.fill(best, base + box.z0(), base + box.z1(), 0f);
            }
        }
        offset = box;
        next = 0;
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
