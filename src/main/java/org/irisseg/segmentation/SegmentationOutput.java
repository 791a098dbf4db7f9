package org.irisseg.segmentation;

import java.util.Arrays;
import java.util.stream.Collectors;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;

/** What a segmentation answers with; chosen by the {@code output} parameter, the label map by default. */
public enum SegmentationOutput {
    /** The label map, gzip NIfTI on the query's grid. */
    LABEL_MAP("label-map", "application/gzip"),
    /** Per-class volumes, quality and timings as JSON, without the mask. */
    STATISTICS("statistics", "application/json"),
    /** Per-class probabilities: float32 gzip NIfTI on the query's grid, one volume per class (4th axis). */
    PROBABILITIES("probabilities", "application/gzip"),
    /**
     * Per-class disagreement of the ensemble members: the standard deviation of their probabilities per
     * voxel, as above; needs a mode with several members.
     */
    UNCERTAINTY("uncertainty", "application/gzip"),
    /** A PNG montage of three orthogonal slices with the label map over the image. */
    PREVIEW("preview", "image/png");

    private final String wire;
    private final String mediaType;

    SegmentationOutput(String wire, String mediaType) {
        this.wire = wire;
        this.mediaType = mediaType;
    }

    /** The value clients send, e.g. {@code label-map}. */
    public String wire() {
        return wire;
    }

    /** The media type of this output's body. */
    public String mediaType() {
        return mediaType;
    }

    /** Parses a wire value; null or blank means the label map. */
    public static SegmentationOutput parse(String value) {
        if (value == null || value.isBlank()) {
            return LABEL_MAP;
        }
        for (SegmentationOutput output : values()) {
            if (output.wire.equalsIgnoreCase(value.strip())) {
                return output;
            }
        }
        throw new IrisException(ProblemType.INVALID_PARAMETER, "'output' must be one of " + wires());
    }

    /** Every wire value, comma-separated. */
    public static String wires() {
        return Arrays.stream(values()).map(SegmentationOutput::wire).collect(Collectors.joining(", "));
    }
}
