package org.irisseg.segmentation;

import java.util.List;
import java.util.Map;

import org.irisseg.model.InferenceTimings;
import org.irisseg.nifti.NiftiHeader;

/**
 * The outcome of one segmentation.
 *
 * @param geometry         header of the query, whose grid the label map is on
 * @param labels           label map in the query's native voxel order (x fastest)
 * @param shape            native [X, Y, Z] of the query
 * @param voxelMillilitres volume of one voxel
 * @param classes          per segmented class, the voxels and volume found
 * @param referencesUsed   label -> indices of the reference embeddings that made its task embedding
 * @param timings          per-stage times (queue wait and the three TorchScript calls)
 * @param totalNanos       the whole segmentation, from parameters to label map
 * @param classMaps        for {@code probabilities} and {@code uncertainty}: K*V values, class after class,
 *                         each in the query's native voxel order; null for other outputs
 * @param previewPng       for {@code preview}: the PNG montage; null for other outputs
 * @param focus            what locate-then-focus did; null when the request did not ask for it
 */
public record SegmentationResult(
        String taskId,
        SegmentationMode mode,
        String modelVersion,
        NiftiHeader geometry,
        int[] labels,
        int[] shape,
        double voxelMillilitres,
        List<ClassVolume> classes,
        Map<Integer, List<Integer>> referencesUsed,
        InferenceTimings timings,
        long totalNanos,
        float[] classMaps,
        byte[] previewPng,
        FocusSummary focus) {
}
