package org.irisseg.model;

import java.util.function.IntPredicate;

/**
 * A box of a canonical volume's voxel grid, half-open on every axis ({@code x0 <= x < x1} and so on).
 * Sizes are multiplied in {@code long}: a box of a 512^3 volume has more voxels than an int counts
 * once it is multiplied by classes.
 */
public record Box(int x0, int x1, int y0, int y1, int z0, int z1) {

    public Box {
        if (x0 < 0 || y0 < 0 || z0 < 0 || x1 < x0 || y1 < y0 || z1 < z0) {
            throw new IllegalArgumentException("not a box: [" + x0 + "," + x1 + ") x [" + y0 + "," + y1 + ") x ["
                    + z0 + "," + z1 + ")");
        }
    }

    /** The whole grid of {@code shape} [X, Y, Z]. */
    public static Box whole(int[] shape) {
        return new Box(0, shape[0], 0, shape[1], 0, shape[2]);
    }

    public int sizeX() {
        return x1 - x0;
    }

    public int sizeY() {
        return y1 - y0;
    }

    public int sizeZ() {
        return z1 - z0;
    }

    public long voxels() {
        return (long) sizeX() * sizeY() * sizeZ();
    }

    public boolean isEmpty() {
        return voxels() == 0;
    }

    /** Whether the box lies inside a grid of {@code shape}. */
    public boolean within(int[] shape) {
        return x1 <= shape[0] && y1 <= shape[1] && z1 <= shape[2];
    }

    /** The smallest box holding both (an empty box adds nothing). */
    public Box union(Box other) {
        if (isEmpty()) {
            return other;
        }
        if (other.isEmpty()) {
            return this;
        }
        return new Box(Math.min(x0, other.x0), Math.max(x1, other.x1), Math.min(y0, other.y0),
                Math.max(y1, other.y1), Math.min(z0, other.z0), Math.max(z1, other.z1));
    }

    /**
     * The binary mask over this box (C order) of the voxels of a canonical volume of {@code shape} where
     * {@code inside} holds for their index {@code (x * Y + y) * Z + z}: an object encoder's input.
     */
    public float[] mask(int[] shape, IntPredicate inside) {
        float[] mask = new float[(int) voxels()];
        int i = 0;
        for (int x = x0; x < x1; x++) {
            for (int y = y0; y < y1; y++) {
                int base = (x * shape[1] + y) * shape[2];
                for (int z = z0; z < z1; z++, i++) {
                    if (inside.test(base + z)) {
                        mask[i] = 1f;
                    }
                }
            }
        }
        return mask;
    }

    /** Whether {@code inner} lies inside this box. */
    public boolean contains(Box inner) {
        return inner.x0 >= x0 && inner.x1 <= x1 && inner.y0 >= y0 && inner.y1 <= y1 && inner.z0 >= z0
                && inner.z1 <= z1;
    }

    /** This box in the coordinates of {@code outer}'s grid (shifted by its first voxel); it must lie inside. */
    public Box relativeTo(Box outer) {
        if (!outer.contains(this)) {
            throw new IllegalArgumentException(this + " does not lie inside " + outer);
        }
        return new Box(x0 - outer.x0, x1 - outer.x0, y0 - outer.y0, y1 - outer.y0, z0 - outer.z0, z1 - outer.z0);
    }

    /** The values of a canonical volume of {@code shape} (C order) inside this box, in C order over the box. */
    public float[] cut(int[] shape, float[] values) {
        if (!within(shape) || values.length != (long) shape[0] * shape[1] * shape[2]) {
            throw new IllegalArgumentException(this + " is not a box of a volume of " + values.length + " values");
        }
        float[] out = new float[(int) voxels()];
        int i = 0;
        for (int x = x0; x < x1; x++) {
            for (int y = y0; y < y1; y++) {
                System.arraycopy(values, (x * shape[1] + y) * shape[2] + z0, out, i, sizeZ());
                i += sizeZ();
            }
        }
        return out;
    }

    /** {@code [X, Y, Z]} of the box. */
    public int[] shape() {
        return new int[] {sizeX(), sizeY(), sizeZ()};
    }
}
