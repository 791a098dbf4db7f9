package org.irisseg.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.irisseg.nifti.NiftiHeader;
import org.junit.jupiter.api.Test;

class VoxelSizeTest {

    @Test
    void millilitresComeFromTheAffineDeterminantInTheHeaderUnit() {
        NiftiHeader mm = NiftiHeader.builder().spatialDims(2, 2, 2)
                .sform(1, new double[] {0, -2, 0, 5}, new double[] {1.5, 0, 0, 0}, new double[] {0, 0, 3, 0})
                .xyztUnits(2).build();
        assertEquals(9.0 / 1000, VoxelSize.millilitres(mm), 1e-12);
        NiftiHeader metres = NiftiHeader.builder().spatialDims(2, 2, 2)
                .sform(1, new double[] {0.001, 0, 0, 0}, new double[] {0, 0.001, 0, 0}, new double[] {0, 0, 0.001, 0})
                .xyztUnits(1).build();
        assertEquals(0.001, VoxelSize.millilitres(metres), 1e-12);
    }
}
