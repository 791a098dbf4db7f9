package org.irisseg.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.irisseg.model.Stage;
import org.irisseg.segmentation.ClassQuality;
import org.irisseg.segmentation.FocusSummary;
import org.irisseg.segmentation.QualityFlag;
import org.irisseg.segmentation.SegmentationResult;

import io.swagger.v3.oas.annotations.media.Schema;

/** Statistics of a segmentation, returned instead of the label map for {@code Accept: application/json}. */
@Schema(name = "Segmentation", description = "Statistics of a segmentation (the label map itself is the gzip response)")
public record SegmentationResponse(
        String taskId,
        @Schema(allowableValues = {"one-shot", "ensemble", "retrieval"}) String mode,
        String modelVersion,
        @Schema(description = "Native size [X, Y, Z] of the query, which the label map shares") int[] shape,
        @Schema(description = "Volume of one voxel in mL") double voxelVolumeMl,
        List<ClassStatistics> classes,
        @Schema(description = "Per label, the 0-based indices of the reference embeddings used")
        Map<String, List<Integer>> referencesUsed,
        Timings timings,
        @Schema(description = "What locate-then-focus did; present only with focus=true") Focus focus) {

    static SegmentationResponse of(SegmentationResult result) {
        Map<String, List<Integer>> used = new LinkedHashMap<>();
        result.referencesUsed().forEach((label, indices) -> used.put(String.valueOf(label), indices));
        return new SegmentationResponse(result.taskId(), result.mode().wire(), result.modelVersion(),
                result.shape(), result.voxelMillilitres(),
                result.classes().stream()
                        .map(c -> new ClassStatistics(c.label(), c.name(), c.voxels(), c.millilitres(),
                                Quality.of(c.quality())))
                        .toList(),
                used, Timings.of(result), result.focus() == null ? null : Focus.of(result.focus()));
    }

    /** Locate, then focus: the box side of the references and the box the focused pass segmented. */
    @Schema(name = "SegmentationFocus")
    public record Focus(
            @Schema(description = "Focus box side of the references used (the largest), mm") double sideMm,
            @Schema(description = "Whether a focused pass ran (not when the pass over the whole query found"
                    + " nothing, or when the box is the whole query)") boolean applied,
            @Schema(description = "The focused pass's box, or the box around its windows, along the R, A and S axes,"
                    + " mm; absent when none ran") double[] boxMm,
            @Schema(description = "Focused passes that ran: 0, 1 (one box), or more: overlapping windows of the"
                    + " references' box side, where what the pass over the whole query found is larger than that"
                    + " box allows") int windows) {

        static Focus of(FocusSummary focus) {
            return new Focus(focus.sideMm(), focus.applied(), focus.boxMm(), focus.windows());
        }
    }

    /** Voxels, volume and quality of one class. */
    @Schema(name = "ClassStatistics")
    public record ClassStatistics(int label, String name, long voxels,
            @Schema(description = "Volume in millilitres") double volumeMl,
            Quality quality) {
    }

    /** How far one class can be trusted; metrics that do not apply are left out. */
    @Schema(name = "ClassQuality", description = "Quality metrics of one class and the flags they raise"
            + " (thresholds: iris.quality.*)")
    public record Quality(
            @Schema(description = "Smallest volume of the class among the task's references, mL")
            Double referenceVolumeMinMl,
            @Schema(description = "Largest volume of the class among the task's references, mL")
            Double referenceVolumeMaxMl,
            @Schema(description = "Mean probability inside the predicted region") Double meanProbability,
            @Schema(description = "Cosine similarity of the predicted object's embedding to the closest reference"
                    + " embedding of the class") Double referenceSimilarity,
            @Schema(description = "Mean Dice of each ensemble member's mask with the answer") Double memberAgreement,
            @Schema(description = "Ensemble members compared (1: the mode used one reference)") int members,
            @Schema(description = "Reasons to doubt the class; empty when there are none")
            List<QualityFlag> flags) {

        static Quality of(ClassQuality q) {
            return new Quality(q.referenceVolumeMinMl(), q.referenceVolumeMaxMl(), q.meanProbability(),
                    q.referenceSimilarity(), q.memberAgreement(), q.members(), q.flags());
        }
    }

    /** Milliseconds per stage; the three model stages are the TorchScript calls alone. */
    @Schema(name = "SegmentationTimings")
    public record Timings(double queueMs, double imageEncodingMs, double taskEncodingMs, double decodingMs,
            @Schema(description = "Model calls of the quality checks") double qualityMs, double totalMs) {

        static Timings of(SegmentationResult result) {
            return new Timings(result.timings().millis(Stage.QUEUE_WAIT),
                    result.timings().millis(Stage.IMAGE_ENCODING), result.timings().millis(Stage.TASK_ENCODING),
                    result.timings().millis(Stage.DECODING), result.timings().millis(Stage.QUALITY),
                    result.totalNanos() / 1e6);
        }
    }
}
