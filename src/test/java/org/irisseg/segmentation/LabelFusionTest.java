package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class LabelFusionTest {

    @Test
    void eachVoxelTakesTheMostProbableClassAboveTheThreshold() {
        // 2 classes (labels 1 and 7) x 5 voxels
        float[] p = {
            0.9f, 0.6f, 0.2f, 0.5f, 0.7f,
            0.1f, 0.8f, 0.3f, 0.4f, 0.7f};
        LabelFusion.Fused fused = LabelFusion.fuse(p, new int[] {1, 7}, 0.5);
        assertArrayEquals(new int[] {1, 7, 0, 0, 1}, fused.labels(), "0.5 is not above 0.5; ties keep the first");
        assertArrayEquals(new long[] {2, 1}, fused.counts());
    }

    @Test
    void thresholdZeroLabelsEveryVoxelWithAnyProbability() {
        float[] p = {0.01f, 0f};
        assertArrayEquals(new int[] {3, 0}, LabelFusion.fuse(p, new int[] {3}, 0).labels());
    }

    @Test
    void classMaskIsOneStrictlyAboveTheThreshold() {
        float[] p = {0.2f, 0.6f, 0.9f, 0.5f};
        assertArrayEquals(new float[] {1f, 0f}, LabelFusion.classMask(p, 1, 2, 0.5));
        assertArrayEquals(new float[] {0f, 1f}, LabelFusion.classMask(p, 0, 2, 0.5));
    }
}
