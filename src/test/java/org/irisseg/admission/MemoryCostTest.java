package org.irisseg.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryCostTest {

    private static final long VOXELS_512 = 512L * 512 * 512;

    @Test
    void theCostIsVoxelsTimesFourBytesTimesFixedAndPerClassCopies() {
        MemoryCost cost = new MemoryCost(1000, 3, 5, 2);
        assertEquals(11, cost.copies());
        assertEquals(1000L * 4 * 11, cost.bytes());
    }

    @Test
    void aCostBeyondALongSaturatesInsteadOfOverflowing() {
        MemoryCost cost = new MemoryCost(Long.MAX_VALUE / 2, Integer.MAX_VALUE, 5, Integer.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, cost.bytes());
    }

    @Test
    void fixedValuesAddToTheCostWhateverTheClasses() {
        assertEquals((1000L * 5 + 300) * 4, new MemoryCost(1000, 1, 5, 0, 0, 300).bytes());
        assertEquals((1000L * 5 + 300) * 4, new MemoryCost(1000, 40, 5, 0, 0, 300).bytes());
    }

    @Test
    void thirtyTwoClassesOfA512CubeDoNotFitOneArrayButTwoDo() {
        assertFalse(new MemoryCost(VOXELS_512, 32, 5, 2).fitsInArrays());
        assertTrue(new MemoryCost(VOXELS_512, 2, 5, 2).fitsInArrays());
    }

    @Test
    void aCostWithoutVoxelsOrClassesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryCost(0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new MemoryCost(1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new MemoryCost(1, 1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new MemoryCost(1, 1, 1, 1, 0, -1));
    }

    @Test
    void sixtyFourClassesOfA512CubeCostTheirGridLogitsBesideFixedCopiesWithoutOverflow() {
        long grid = 64L * 64 * 64;
        MemoryCost labelMap = new MemoryCost(VOXELS_512, 64, 6, 0, 2 * grid);
        assertEquals((VOXELS_512 * 6 + 64 * 2 * grid) * 4, labelMap.bytes());
        assertTrue(labelMap.bytes() > Integer.MAX_VALUE, "in long arithmetic");
        assertTrue(labelMap.fitsInArrays(), "no array holds more than one volume");
    }

    @Test
    void sixtyFourWholeMapsOfA512CubeAreCountedExactlyAndDoNotFitOneArray() {
        MemoryCost probabilities = new MemoryCost(VOXELS_512, 64, 6, 2, 2 * 64L * 64 * 64);
        assertEquals((VOXELS_512 * (6 + 2 * 64) + 64 * 2 * 64L * 64 * 64) * 4, probabilities.bytes());
        assertFalse(probabilities.fitsInArrays());
    }
}
