package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.irisseg.volume.VolumeUpload;
import org.junit.jupiter.api.Test;

/** Pure helpers of the segmentation controller: content negotiation and the label map's file name. */
class AcceptNegotiationTest {

    @Test
    void jsonOnlyWhenTheClientRanksItFirst() {
        assertFalse(SegmentationController.prefersJson(null));
        assertFalse(SegmentationController.prefersJson("*/*"));
        assertFalse(SegmentationController.prefersJson("application/gzip"));
        assertFalse(SegmentationController.prefersJson("application/gzip, application/json"));
        assertTrue(SegmentationController.prefersJson("application/json"));
        assertTrue(SegmentationController.prefersJson("application/json, */*;q=0.8"));
        assertTrue(SegmentationController.prefersJson("application/gzip;q=0.5, application/json"));
    }

    @Test
    void theLabelMapIsNamedAfterTheQuery() {
        assertEquals("hippocampus_003_seg.nii.gz", SegmentationController.labelMapName(
                new VolumeUpload("scans/hippocampus_003.nii.gz", () -> null)));
        assertEquals("brain_seg.nii.gz", SegmentationController.labelMapName(new VolumeUpload("brain.NII", () -> null)));
        assertEquals("upload_seg.nii.gz", SegmentationController.labelMapName(new VolumeUpload(null, () -> null)));
    }
}
