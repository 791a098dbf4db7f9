package org.irisseg.volume;

import org.irisseg.nifti.CanonicalVolume;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.Reorientation;

/**
 * A volume as read (native order, header kept for writing results back) and in canonical RAS+ C order
 * for the model.
 *
 * @param image         the file's voxels and header
 * @param reorientation native <-> canonical mapping of this grid
 * @param canonical     shape [X, Y, Z] and voxels in C order, ready for a {@code [1, 1, X, Y, Z]} tensor
 */
public record OrientedVolume(NiftiImage image, Reorientation reorientation, CanonicalVolume canonical) {

    public int[] shape() {
        return canonical.shape();
    }

    public int voxelCount() {
        return canonical.data().length;
    }
}
