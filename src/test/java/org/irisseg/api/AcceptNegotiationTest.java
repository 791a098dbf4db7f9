package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
}
