package org.irisseg.nifti;

/**
 * A volume in canonical RAS+ voxel order, ready for a tensor of shape {@code [1, 1, X, Y, Z]}.
 *
 * @param shape  [X, Y, Z]: increasing index runs towards Right, Anterior, Superior (closest axes)
 * @param data   X*Y*Z values in C order: index = (x * Y + y) * Z + z, z fastest
 * @param affine 4x4 voxel-to-world affine of the canonical grid (row-major)
 */
public record CanonicalVolume(int[] shape, float[] data, double[][] affine) {

    public CanonicalVolume {
        if (shape.length != 3 || (long) shape[0] * shape[1] * shape[2] != data.length) {
            throw new IllegalArgumentException("shape does not match the number of values");
        }
    }
}
