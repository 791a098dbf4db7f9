package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.irisseg.admission.MemoryCost;
import org.irisseg.model.ObjectBatcher;
import org.junit.jupiter.api.Test;

/** The memory admission reserves for encoding a reference. */
class ReferenceCostTest {

    private static final long CLINICAL_CT = 512L * 512 * 300;

    @Test
    void theMemoryOfAReferenceDoesNotGrowWithItsClasses() {
        assertEquals(ReferenceEncoder.cost(CLINICAL_CT, 1).bytes(), ReferenceEncoder.cost(CLINICAL_CT, 64).bytes());
    }

    @Test
    void aClinicalCtOfFortyOneClassesNeedsSevenVolumesWhereWholeMasksNeededEightySix() {
        MemoryCost cost = ReferenceEncoder.cost(CLINICAL_CT, 41);
        assertEquals(7 * CLINICAL_CT * MemoryCost.BYTES_PER_VOXEL, cost.bytes());
        assertEquals(86 * CLINICAL_CT * MemoryCost.BYTES_PER_VOXEL, new MemoryCost(CLINICAL_CT, 41, 4, 2).bytes());
        assertTrue(cost.fitsInArrays());
    }

    @Test
    void aVolumeSmallerThanABatchCountsWhatTheBatchMayHoldBeyondIt() {
        long voxels = 8 * 8 * 8;
        long values = 5 * voxels + ObjectBatcher.HELD_VOLUMES * ObjectBatcher.SMALL_VALUES;
        assertEquals(values * MemoryCost.BYTES_PER_VOXEL, ReferenceEncoder.cost(voxels, 2).bytes());
    }
}
