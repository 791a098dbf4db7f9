package org.irisseg.nifti;

/**
 * A 3D volume as read from a NIfTI file.
 *
 * @param header the file's header (geometry, datatype, scaling)
 * @param data   X*Y*Z voxel values in the file's native order (x fastest, then y, then z), with
 *               {@code scl_slope}/{@code scl_inter} applied
 */
public record NiftiImage(NiftiHeader header, float[] data) {

    public NiftiImage {
        if (data.length != header.voxelCount()) {
            throw new IllegalArgumentException(
                    "data has " + data.length + " values but the header declares " + header.voxelCount() + " voxels");
        }
    }

    /** [X, Y, Z] in the file's native axis order. */
    public int[] dims() {
        return header.spatialDims();
    }

    /** 4x4 voxel-to-world affine of the native voxel grid (see {@link NiftiHeader#affine()}). */
    public double[][] affine() {
        return header.affine();
    }
}
