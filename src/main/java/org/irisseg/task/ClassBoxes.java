package org.irisseg.task;

import java.util.Arrays;
import java.util.List;

import org.irisseg.model.Box;
import org.irisseg.nifti.CanonicalVolume;

/**
 * Where each class of a reference mask lies: its bounding box and its voxel count, found in one pass over
 * the canonical label map whatever the number of classes, and its binary mask over that box. Values of
 * the map that are not a listed class count as background.
 */
final class ClassBoxes {

    private final float[] labels;
    private final int[] shape;
    private final List<Integer> classes;
    private final Box[] boxes;
    private final long[] counts;

    private ClassBoxes(float[] labels, int[] shape, List<Integer> classes, Box[] boxes, long[] counts) {
        this.labels = labels;
        this.shape = shape;
        this.classes = classes;
        this.boxes = boxes;
        this.counts = counts;
    }

    /**
     * @param mask    a canonical label map
     * @param classes its classes, each between 1 and 65535
     */
    static ClassBoxes of(CanonicalVolume mask, List<Integer> classes) {
        int highest = classes.stream().mapToInt(Integer::intValue).max().orElse(0);
        int[] indexOf = new int[highest + 1];
        Arrays.fill(indexOf, -1);
        for (int k = 0; k < classes.size(); k++) {
            indexOf[classes.get(k)] = k;
        }
        int k = classes.size();
        int[] low = new int[3 * k];
        int[] high = new int[3 * k];
        Arrays.fill(low, Integer.MAX_VALUE);
        Arrays.fill(high, -1);
        long[] counts = new long[k];
        int[] s = mask.shape();
        float[] labels = mask.data();
        int i = 0;
        for (int x = 0; x < s[0]; x++) {
            for (int y = 0; y < s[1]; y++) {
                for (int z = 0; z < s[2]; z++, i++) {
                    float v = labels[i];
                    if (v <= 0 || v > highest) {
                        continue;
                    }
                    int label = (int) v;
                    int c = label == v ? indexOf[label] : -1;
                    if (c < 0) {
                        continue;
                    }
                    counts[c]++;
                    int b = 3 * c;
                    low[b] = Math.min(low[b], x);
                    high[b] = Math.max(high[b], x);
                    low[b + 1] = Math.min(low[b + 1], y);
                    high[b + 1] = Math.max(high[b + 1], y);
                    low[b + 2] = Math.min(low[b + 2], z);
                    high[b + 2] = Math.max(high[b + 2], z);
                }
            }
        }
        Box[] boxes = new Box[k];
        for (int c = 0; c < k; c++) {
            int b = 3 * c;
            boxes[c] = counts[c] == 0 ? new Box(0, 0, 0, 0, 0, 0)
                    : new Box(low[b], high[b] + 1, low[b + 1], high[b + 1] + 1, low[b + 2], high[b + 2] + 1);
        }
        return new ClassBoxes(labels, s.clone(), List.copyOf(classes), boxes, counts);
    }

    /** The box around class {@code index}'s voxels (empty when it has none). */
    Box box(int index) {
        return boxes[index];
    }

    /** Number of classes. */
    int classes() {
        return boxes.length;
    }

    /** The box around the voxels of every class (empty when there are none). */
    Box union() {
        Box union = new Box(0, 0, 0, 0, 0, 0);
        for (Box b : boxes) {
            union = union.union(b);
        }
        return union;
    }

    /** Voxels of class {@code index}. */
    long count(int index) {
        return counts[index];
    }

    /** The binary mask of class {@code index} over its box, in C order: the object encoder's input. */
    float[] mask(int index) {
        float label = classes.get(index);
        return boxes[index].mask(shape, i -> labels[i] == label);
    }
}
