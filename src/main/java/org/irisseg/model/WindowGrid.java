package org.irisseg.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Windows that tile a region as a grid: per axis, where each window starts and how long every window is
 * along that axis; the windows are every combination of the axes' ranges ({@link FocusPolicy#queryWindows}).
 * One start per axis is a single box.
 *
 * @param starts  per axis (x, y, z), the windows' first voxels, at least one each, ascending
 * @param lengths per axis, the windows' length in voxels, at least 1
 */
public record WindowGrid(int[][] starts, int[] lengths) {

    public WindowGrid {
        if (starts.length != 3 || lengths.length != 3) {
            throw new IllegalArgumentException("a window grid has three axes");
        }
        starts = new int[][] {starts[0].clone(), starts[1].clone(), starts[2].clone()};
        lengths = lengths.clone();
        for (int a = 0; a < 3; a++) {
            if (starts[a].length == 0 || lengths[a] < 1) {
                throw new IllegalArgumentException("axis " + a + " has no window");
            }
            for (int i = 0; i < starts[a].length; i++) {
                if (starts[a][i] < 0 || (i > 0 && starts[a][i] < starts[a][i - 1])) {
                    throw new IllegalArgumentException("axis " + a + ": starts " + Arrays.toString(starts[a])
                            + " are not ascending from 0");
                }
            }
        }
    }

    /** Per axis, the windows' first voxels (a copy). */
    @Override
    public int[][] starts() {
        return new int[][] {starts[0].clone(), starts[1].clone(), starts[2].clone()};
    }

    /** Per axis, the windows' length (a copy). */
    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    /** The grid of one window, {@code box}. */
    public static WindowGrid of(Box box) {
        return new WindowGrid(new int[][] {{box.x0()}, {box.y0()}, {box.z0()}},
                new int[] {box.sizeX(), box.sizeY(), box.sizeZ()});
    }

    /** How many windows: the product of the axes' starts. */
    public int size() {
        return starts[0].length * starts[1].length * starts[2].length;
    }

    /** The windows in x, then y, then z order (z varies fastest). */
    public List<Box> boxes() {
        List<Box> out = new ArrayList<>(size());
        for (int x : starts[0]) {
            for (int y : starts[1]) {
                for (int z : starts[2]) {
                    out.add(new Box(x, x + lengths[0], y, y + lengths[1], z, z + lengths[2]));
                }
            }
        }
        return List.copyOf(out);
    }

    /** The box around every window. */
    public Box bounds() {
        return new Box(starts[0][0], last(0), starts[1][0], last(1), starts[2][0], last(2));
    }

    /**
     * Per axis of {@link #bounds}, how many of the axis's windows cover each of its coordinates. The windows over
     * a voxel are the product of its three counts.
     */
    public int[][] coverPerAxis() {
        int[][] cover = new int[3][];
        for (int a = 0; a < 3; a++) {
            int first = starts[a][0];
            cover[a] = new int[last(a) - first];
            for (int s : starts[a]) {
                for (int c = s - first; c < s - first + lengths[a]; c++) {
                    cover[a][c]++;
                }
            }
        }
        return cover;
    }

    private int last(int axis) {
        return starts[axis][starts[axis].length - 1] + lengths[axis];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowGrid g && Arrays.deepEquals(starts, g.starts) && Arrays.equals(lengths, g.lengths);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(starts) + Arrays.hashCode(lengths);
    }

    @Override
    public String toString() {
        return "WindowGrid[starts=" + Arrays.deepToString(starts) + ", lengths=" + Arrays.toString(lengths) + "]";
    }
}
