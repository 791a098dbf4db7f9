package org.irisseg.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.nifti.NiftiHeader;
import org.junit.jupiter.api.Test;

class SegmentableVolumeTest {

    @Test
    void aTwoDimensionalImageIsTooSmallForThe3dModelAndTheDetailSaysSo() {
        NiftiHeader flat = NiftiHeader.builder().spatialDims(40, 40, 1).build();
        IrisException e = assertThrows(IrisException.class, () -> VolumeReader.requireSegmentable(flat, "image"));
        assertEquals(ProblemType.VOLUME_TOO_SMALL, e.type());
        assertTrue(e.getMessage().startsWith("Image is 40x40x1 voxels; the 3D model needs at least 4 voxels along"
                + " each of the three axes"), e.getMessage());
    }

    @Test
    void fourVoxelsAlongEveryAxisIsEnough() {
        VolumeReader.requireSegmentable(NiftiHeader.builder().spatialDims(4, 4, 4).build(), "image");
        assertThrows(IrisException.class, () -> VolumeReader.requireSegmentable(
                NiftiHeader.builder().spatialDims(64, 3, 64).build(), "image"));
    }
}
