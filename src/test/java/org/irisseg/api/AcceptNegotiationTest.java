package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.segmentation.SegmentationOutput;
import org.irisseg.volume.VolumeUpload;
import org.junit.jupiter.api.Test;

/** Pure helpers of the segmentation controller: choosing the output and the label map's file name. */
class AcceptNegotiationTest {

    private static SegmentationOutput byAccept(String accept) {
        return OutputNegotiation.choose(null, accept);
    }

    @Test
    void withoutOutputJsonOnlyWhenTheClientRanksItStrictlyAboveTheLabelMap() {
        assertEquals(SegmentationOutput.LABEL_MAP, byAccept(null));
        assertEquals(SegmentationOutput.LABEL_MAP, byAccept("*/*"));
        assertEquals(SegmentationOutput.LABEL_MAP, byAccept("application/gzip"));
        assertEquals(SegmentationOutput.LABEL_MAP, byAccept("application/gzip, application/json"));
        assertEquals(SegmentationOutput.STATISTICS, byAccept("application/json"));
        assertEquals(SegmentationOutput.STATISTICS, byAccept("application/json, */*;q=0.8"));
        assertEquals(SegmentationOutput.STATISTICS, byAccept("application/gzip;q=0.5, application/json"));
    }

    @Test
    void imagePngRankedAboveTheLabelMapGivesThePreview() {
        assertEquals(SegmentationOutput.PREVIEW, byAccept("image/png"));
        assertEquals(SegmentationOutput.PREVIEW, byAccept("image/*, application/gzip;q=0.5"));
        assertEquals(SegmentationOutput.LABEL_MAP, byAccept("image/png, application/gzip"));
    }

    @Test
    void typesOfEqualQualityInAnyOrderGiveTheLabelMap() {
        assertEquals(SegmentationOutput.LABEL_MAP, byAccept("application/json, application/gzip"));
    }

    @Test
    void anExplicitOutputWinsOverTheAcceptHeader() {
        assertEquals(SegmentationOutput.STATISTICS, OutputNegotiation.choose("statistics",
                "application/gzip, application/json"));
        assertEquals(SegmentationOutput.LABEL_MAP, OutputNegotiation.choose("label-map", "application/json, */*"));
        assertEquals(SegmentationOutput.STATISTICS, OutputNegotiation.choose(" Statistics ", null));
    }

    @Test
    void anExplicitOutputThatTheAcceptHeaderRefusesIsNotAcceptable() {
        IrisException e = assertThrows(IrisException.class,
                () -> OutputNegotiation.choose("statistics", "application/gzip"));
        assertEquals(ProblemType.NOT_ACCEPTABLE, e.type());
    }

    @Test
    void anUnknownOutputIsAnInvalidParameter() {
        IrisException e = assertThrows(IrisException.class, () -> OutputNegotiation.choose("mask", null));
        assertEquals(ProblemType.INVALID_PARAMETER, e.type());
    }

    @Test
    void theLabelMapIsNamedAfterTheQuery() {
        assertEquals("hippocampus_003_seg.nii.gz", SegmentationController.labelMapName(
                new VolumeUpload("scans/hippocampus_003.nii.gz", () -> null)));
        assertEquals("brain_seg.nii.gz", SegmentationController.labelMapName(new VolumeUpload("brain.NII", () -> null)));
        assertEquals("upload_seg.nii.gz", SegmentationController.labelMapName(new VolumeUpload(null, () -> null)));
    }
}
