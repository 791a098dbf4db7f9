package org.irisseg.volume;

import java.util.Arrays;

import org.irisseg.error.IrisException;
import org.irisseg.error.Messages;
import org.irisseg.error.ProblemType;
import org.irisseg.nifti.NiftiHeader;
import org.irisseg.nifti.NiftiImage;

/** Whether two NIfTI volumes share one voxel grid (same size, same voxel-to-world affine). */
public final class Grids {

    /** Largest allowed affine difference, relative to the voxel size (float32 header round-off). */
    static final double RELATIVE_TOLERANCE = 1e-3;

    private Grids() {
    }

    static void requireSameGrid(NiftiImage image, NiftiImage mask, String role) {
        requireSameGrid(image.header(), mask.header(), role);
    }

    /**
     * Compares the grids of two headers, before either volume is decoded.
     *
     * @throws IrisException {@link ProblemType#GRID_MISMATCH} when size or voxel-to-world affine differ
     */
    public static void requireSameGrid(NiftiHeader image, NiftiHeader mask, String role) {
        if (!Arrays.equals(image.spatialDims(), mask.spatialDims())) {
            throw new IrisException(ProblemType.GRID_MISMATCH, Messages.capitalised(role) + " has size "
                    + Arrays.toString(mask.spatialDims()) + " but its image has "
                    + Arrays.toString(image.spatialDims()) + "; a mask must be on its image's voxel grid");
        }
        if (!sameAffine(image.affine(), mask.affine())) {
            throw new IrisException(ProblemType.GRID_MISMATCH, Messages.capitalised(role)
                    + " has another orientation, origin or spacing than its image; a mask must be on its"
                    + " image's voxel grid");
        }
    }

    static boolean sameAffine(double[][] a, double[][] b) {
        double scale = 0;
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                scale = Math.max(scale, Math.abs(a[r][c]));
            }
        }
        double tolerance = RELATIVE_TOLERANCE * Math.max(scale, 1e-6);
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                if (!(Math.abs(a[r][c] - b[r][c]) <= tolerance)) {
                    return false;
                }
            }
        }
        return true;
    }
}
