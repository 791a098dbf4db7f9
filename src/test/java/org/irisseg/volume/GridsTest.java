package org.irisseg.volume;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GridsTest {

    private static double[][] affine(double spacing, double originX) {
        return new double[][] {{spacing, 0, 0, originX}, {0, spacing, 0, 0}, {0, 0, spacing, 0}, {0, 0, 0, 1}};
    }

    @Test
    void float32RoundOffIsTheSameGridButAnotherOriginOrSpacingIsNot() {
        assertTrue(Grids.sameAffine(affine(1, 10), affine(1.0000001, 10.00001)));
        assertFalse(Grids.sameAffine(affine(1, 10), affine(1, 11)));
        assertFalse(Grids.sameAffine(affine(1, 10), affine(1.1, 10)));
        assertFalse(Grids.sameAffine(affine(1, 10), new double[][] {{Double.NaN, 0, 0, 10}, {0, 1, 0, 0},
                {0, 0, 1, 0}, {0, 0, 0, 1}}));
    }
}
