package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.junit.jupiter.api.Test;

class SegmentationRequestTest {

    @Test
    void modesParseFromTheirWireNamesAndDefaultToEnsemble() {
        assertEquals(SegmentationMode.ONE_SHOT, SegmentationMode.parse("one-shot"));
        assertEquals(SegmentationMode.RETRIEVAL, SegmentationMode.parse(" Retrieval "));
        assertEquals(SegmentationMode.ENSEMBLE, SegmentationMode.parse(null));
        IrisException e = assertThrows(IrisException.class, () -> SegmentationMode.parse("oneshot"));
        assertEquals(ProblemType.INVALID_PARAMETER, e.type());
    }

    @Test
    void parametersOutOfRangeAreInvalid() {
        assertInvalid(() -> new SegmentationRequest("t", SegmentationMode.ENSEMBLE, 0, 0.5, List.of(), 0));
        assertInvalid(() -> new SegmentationRequest("t", SegmentationMode.ENSEMBLE, 3, 1.0, List.of(), 0));
        assertInvalid(() -> new SegmentationRequest("t", SegmentationMode.ENSEMBLE, 3, Double.NaN, List.of(), 0));
        assertInvalid(() -> new SegmentationRequest("t", SegmentationMode.ENSEMBLE, 3, -0.1, List.of(), 0));
        assertInvalid(() -> new SegmentationRequest("t", SegmentationMode.ONE_SHOT, 3, 0.5, List.of(), -1));
        assertInvalid(() -> new SegmentationRequest(" ", SegmentationMode.ONE_SHOT, 3, 0.5, List.of(), 0));
    }

    private static void assertInvalid(org.junit.jupiter.api.function.Executable executable) {
        assertEquals(ProblemType.INVALID_PARAMETER, assertThrows(IrisException.class, executable).type());
    }
}
