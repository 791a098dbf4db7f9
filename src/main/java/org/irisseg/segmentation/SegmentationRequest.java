package org.irisseg.segmentation;

import java.util.List;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;

/**
 * Parameters of one segmentation.
 *
 * @param taskId         the registered task
 * @param mode           how the embedding is chosen
 * @param k              retrieval top-k (at least 1; more than the pool means the whole pool)
 * @param threshold      probability above which a voxel belongs to a class, in [0, 1)
 * @param classes        labels or names of the classes to segment; empty means all
 * @param referenceIndex the reference used by one-shot (0-based)
 * @param output         what the answer carries (label map by default)
 * @param focus          locate, then focus: segment the whole query with the references encoded inside their
 *                       focus boxes, then again inside a box of the reference box's size around what was found
 *                       ({@link org.irisseg.model.FocusPolicy})
 */
public record SegmentationRequest(
        String taskId,
        SegmentationMode mode,
        int k,
        double threshold,
        List<String> classes,
        int referenceIndex,
        SegmentationOutput output,
        boolean focus) {

    public static final int DEFAULT_K = 3;
    public static final double DEFAULT_THRESHOLD = 0.5;

    public SegmentationRequest {
        if (taskId == null || taskId.isBlank()) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'taskId' is required");
        }
        if (k < 1) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'k' must be at least 1");
        }
        if (!(threshold >= 0 && threshold < 1)) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'threshold' must be in [0, 1)");
        }
        if (referenceIndex < 0) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'referenceIndex' must not be negative");
        }
        classes = classes == null ? List.of() : List.copyOf(classes);
        output = output == null ? SegmentationOutput.LABEL_MAP : output;
        if (focus && output == SegmentationOutput.UNCERTAINTY) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'output=uncertainty' compares the ensemble"
                    + " members over the whole query and cannot be combined with 'focus=true'");
        }
    }

    /** A request without focus. */
    public SegmentationRequest(String taskId, SegmentationMode mode, int k, double threshold, List<String> classes,
            int referenceIndex, SegmentationOutput output) {
        this(taskId, mode, k, threshold, classes, referenceIndex, output, false);
    }

    /** A request for the label map. */
    public SegmentationRequest(String taskId, SegmentationMode mode, int k, double threshold, List<String> classes,
            int referenceIndex) {
        this(taskId, mode, k, threshold, classes, referenceIndex, SegmentationOutput.LABEL_MAP, false);
    }
}
