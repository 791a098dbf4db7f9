package org.irisseg.segmentation;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;

/** How the task embedding for a query is chosen. */
public enum SegmentationMode {
    /** One reference's embedding (the first, or {@code referenceIndex}). */
    ONE_SHOT("one-shot"),
    /** Per class, the mean of all the task's reference embeddings. */
    ENSEMBLE("ensemble"),
    /**
     * Object-level retrieval: coarse prediction with the ensemble embedding, the query's predicted object
     * encoded per class, the mean of the top-k most similar reference embeddings (cosine), final prediction.
     */
    RETRIEVAL("retrieval");

    private final String wire;

    SegmentationMode(String wire) {
        this.wire = wire;
    }

    /** The value clients send, e.g. {@code one-shot}. */
    public String wire() {
        return wire;
    }

    public static SegmentationMode parse(String value) {
        if (value == null || value.isBlank()) {
            return ENSEMBLE;
        }
        for (SegmentationMode mode : values()) {
            if (mode.wire.equalsIgnoreCase(value.strip())) {
                return mode;
            }
        }
        throw new IrisException(ProblemType.INVALID_PARAMETER,
                "'mode' must be one of one-shot, ensemble, retrieval");
    }
}
