package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.irisseg.admission.MemoryCost;
import org.irisseg.model.FocusPolicy;
import org.irisseg.model.ObjectBatcher;
import org.junit.jupiter.api.Test;

/** The memory admission reserves for a segmentation. */
class SegmentationCostTest {

    private static final long CLINICAL_CT = 512L * 512 * 300;
    private static final long GRID_VALUES = 64L * 64 * 64;

    private static SegmentationRequest request(SegmentationMode mode) {
        return new SegmentationRequest("task", mode, 3, 0.5, List.of(), 0);
    }

    @Test
    void comparingEnsembleMembersReservesOneVolumeMore() {
        long plain = SegmentationService.cost(CLINICAL_CT, 3, request(SegmentationMode.ENSEMBLE), GRID_VALUES, 0).bytes();
        long compared = SegmentationService.cost(CLINICAL_CT, 3, request(SegmentationMode.ENSEMBLE), GRID_VALUES, 5)
                .bytes();
        long oneShot = SegmentationService.cost(CLINICAL_CT, 3, request(SegmentationMode.ONE_SHOT), GRID_VALUES, 5)
                .bytes();
        assertEquals(CLINICAL_CT * MemoryCost.BYTES_PER_VOXEL, compared - plain);
        assertEquals(plain, oneShot);
    }

    @Test
    void aClinicalCtReservesTheSameVolumesWhateverItsClassesAndTwoGridsPerClass() {
        MemoryCost one = SegmentationService.cost(CLINICAL_CT, 1, request(SegmentationMode.ONE_SHOT), GRID_VALUES, 0);
        MemoryCost many = SegmentationService.cost(CLINICAL_CT, 41, request(SegmentationMode.ONE_SHOT), GRID_VALUES, 0);
        assertEquals(SegmentationService.FIXED_COPIES * CLINICAL_CT * MemoryCost.BYTES_PER_VOXEL,
                one.bytes() - 2 * GRID_VALUES * MemoryCost.BYTES_PER_VOXEL);
        assertEquals(40 * 2 * GRID_VALUES * MemoryCost.BYTES_PER_VOXEL, many.bytes() - one.bytes());
    }

    @Test
    void retrievalKeepsAThirdGridPerClass() {
        long ensemble = SegmentationService.cost(CLINICAL_CT, 5, request(SegmentationMode.ENSEMBLE), GRID_VALUES, 0).bytes();
        long retrieval = SegmentationService.cost(CLINICAL_CT, 5, request(SegmentationMode.RETRIEVAL), GRID_VALUES, 0).bytes();
        assertEquals(5 * GRID_VALUES * MemoryCost.BYTES_PER_VOXEL, retrieval - ensemble);
    }

    @Test
    void aQuerySmallerThanABatchCountsWhatTheBatchMayHoldBeyondIt() {
        long voxels = 8 * 8 * 8;
        long values = SegmentationService.FIXED_COPIES * voxels + 2 * GRID_VALUES
                + ObjectBatcher.HELD_VOLUMES * (ObjectBatcher.SMALL_VALUES - voxels);
        assertEquals(values * MemoryCost.BYTES_PER_VOXEL,
                SegmentationService.cost(voxels, 1, request(SegmentationMode.ONE_SHOT), GRID_VALUES, 0).bytes());
    }

    @Test
    void focusHoldsTheQuerysCropWithinTheVolumesTheQualityChecksReserveAndTheMostWindowsGridsPerClass() {
        SegmentationRequest focused = new SegmentationRequest("task", SegmentationMode.ONE_SHOT, 3, 0.5, List.of(), 0,
                SegmentationOutput.LABEL_MAP, true);
        long plain = SegmentationService.cost(CLINICAL_CT, 3, request(SegmentationMode.ONE_SHOT), GRID_VALUES, 0).bytes();
        long withFocus = SegmentationService.cost(CLINICAL_CT, 3, focused, GRID_VALUES, 0).bytes();
        assertTrue(SegmentationService.FUSION_COPIES + SegmentationService.FOCUS_CROP_COPIES
                <= SegmentationService.QUALITY_COPIES);
        assertEquals(3 * (FocusPolicy.MAX_WINDOWS - SegmentationService.GRID_COPIES_PER_CLASS) * GRID_VALUES
                * MemoryCost.BYTES_PER_VOXEL, withFocus - plain);
    }
}
