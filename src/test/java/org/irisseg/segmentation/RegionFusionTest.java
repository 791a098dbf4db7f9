package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.irisseg.model.Box;
import org.irisseg.model.ClassRegion;
import org.junit.jupiter.api.Test;

class RegionFusionTest {

    private static final int[] SHAPE = {7, 5, 6};
    private static final int VOXELS = 7 * 5 * 6;

    /** The region of a whole map that can exceed the threshold: the box around its values above it. */
    private static ClassRegion regionOf(float[] map, double threshold) {
        int[] r = null;
        for (int x = 0; x < SHAPE[0]; x++) {
            for (int y = 0; y < SHAPE[1]; y++) {
                for (int z = 0; z < SHAPE[2]; z++) {
                    if (map[(x * SHAPE[1] + y) * SHAPE[2] + z] > threshold) {
                        r = r == null ? new int[] {x, x, y, y, z, z}
                                : new int[] {Math.min(r[0], x), Math.max(r[1], x), Math.min(r[2], y), Math.max(r[3], y),
                                    Math.min(r[4], z), Math.max(r[5], z)};
                    }
                }
            }
        }
        if (r == null) {
            return new ClassRegion(new Box(0, 0, 0, 0, 0, 0), new float[0]);
        }
        Box box = new Box(r[0], r[1] + 1, r[2], r[3] + 1, r[4], r[5] + 1);
        float[] values = new float[(int) box.voxels()];
        int i = 0;
        for (int x = box.x0(); x < box.x1(); x++) {
            for (int y = box.y0(); y < box.y1(); y++) {
                for (int z = box.z0(); z < box.z1(); z++) {
                    values[i++] = map[(x * SHAPE[1] + y) * SHAPE[2] + z];
                }
            }
        }
        return new ClassRegion(box, values);
    }

    @Test
    void classAfterClassInTheirRegionsGivesTheWholeVolumeFusionWithTiesToTheEarlierClass() {
        Random random = new Random(7);
        int classes = 5;
        int[] labels = {3, 9, 1, 12, 40};
        float[] all = new float[classes * VOXELS];
        for (int k = 0; k < classes; k++) {
            for (int i = 0; i < VOXELS; i++) {
                // coarse values so that ties between classes occur
                all[k * VOXELS + i] = random.nextInt(3) == 0 ? 0.25f * random.nextInt(5) : 0f;
            }
        }
        LabelFusion.Fused whole = LabelFusion.fuse(all, labels, 0.5);
        RegionFusion fusion = new RegionFusion(SHAPE, classes);
        for (int k = 0; k < classes; k++) {
            fusion.add(k, regionOf(java.util.Arrays.copyOfRange(all, k * VOXELS, (k + 1) * VOXELS), 0.5), 0.5);
        }
        RegionFusion.Fused regions = fusion.finish(labels);
        assertArrayEquals(whole.labels(), regions.labels());
        assertArrayEquals(whole.counts(), regions.counts());
    }

    @Test
    void theMeanProbabilityAndBoxOfAClassAreThoseOfItsVoxels() {
        float[] map = new float[VOXELS];
        map[(1 * SHAPE[1] + 2) * SHAPE[2] + 3] = 0.8f;
        map[(4 * SHAPE[1] + 0) * SHAPE[2] + 5] = 0.6f;
        RegionFusion fusion = new RegionFusion(SHAPE, 1);
        fusion.add(0, new ClassRegion(Box.whole(SHAPE), map), 0.5);
        RegionFusion.Fused fused = fusion.finish(new int[] {7});
        assertEquals(2, fused.counts()[0]);
        assertEquals(0.7, fused.meanProbabilities()[0], 1e-6);
        assertEquals(new Box(1, 5, 0, 3, 3, 6), fused.boxes()[0]);
    }

    @Test
    void classesMustArriveInOrder() {
        RegionFusion fusion = new RegionFusion(SHAPE, 2);
        assertThrows(IllegalStateException.class,
                () -> fusion.add(1, new ClassRegion(new Box(0, 0, 0, 0, 0, 0), new float[0]), 0.5));
    }

    @Test
    void aBoxOfA512CubeCountsItsVoxelsInLong() {
        assertEquals(512L * 512 * 512, Box.whole(new int[] {512, 512, 512}).voxels());
        assertEquals(64L * 512 * 512 * 512, 64 * Box.whole(new int[] {512, 512, 512}).voxels());
    }

    private static float[] randomMaps(Random random, int classes, int voxels) {
        float[] all = new float[classes * voxels];
        for (int i = 0; i < all.length; i++) {
            all[i] = random.nextInt(3) == 0 ? 0.25f * random.nextInt(5) : 0f;
        }
        return all;
    }

    @Test
    void focusingPastesTheBoxsFusionOverTheWholeVolumes() {
        Random random = new Random(11);
        int classes = 3;
        int[] labels = {2, 5, 9};
        Box box = new Box(2, 6, 1, 4, 0, 5);
        int boxVoxels = (int) box.voxels();
        float[] coarse = randomMaps(random, classes, VOXELS);
        float[] focused = randomMaps(random, classes, boxVoxels);
        float[] pasted = coarse.clone();
        for (int k = 0; k < classes; k++) {
            int i = 0;
            for (int x = box.x0(); x < box.x1(); x++) {
                for (int y = box.y0(); y < box.y1(); y++) {
                    for (int z = box.z0(); z < box.z1(); z++) {
                        pasted[k * VOXELS + (x * SHAPE[1] + y) * SHAPE[2] + z] = focused[k * boxVoxels + i++];
                    }
                }
            }
        }
        LabelFusion.Fused expected = LabelFusion.fuse(pasted, labels, 0.5);

        RegionFusion fusion = new RegionFusion(SHAPE, classes, 0.5);
        for (int k = 0; k < classes; k++) {
            fusion.add(k, regionOf(java.util.Arrays.copyOfRange(coarse, k * VOXELS, (k + 1) * VOXELS), 0.5), 0.5);
        }
        fusion.focus(box);
        for (int k = 0; k < classes; k++) {
            float[] one = java.util.Arrays.copyOfRange(focused, k * boxVoxels, (k + 1) * boxVoxels);
            fusion.add(k, new ClassRegion(Box.whole(box.shape()), one), 0.5);
        }
        RegionFusion.Fused actual = fusion.finish(labels);
        assertArrayEquals(expected.labels(), actual.labels());
        assertArrayEquals(expected.counts(), actual.counts());
    }

    @Test
    void theFoundBoxBoundsTheVoxelsWhereAClassExceedsTheFoundThreshold() {
        float[] map = new float[VOXELS];
        map[(1 * SHAPE[1] + 2) * SHAPE[2] + 3] = 0.6f;
        map[(5 * SHAPE[1] + 4) * SHAPE[2] + 1] = 0.9f;
        map[(6 * SHAPE[1] + 0) * SHAPE[2] + 0] = 0.5f;
        RegionFusion fusion = new RegionFusion(SHAPE, 1, 0.5);
        fusion.add(0, new ClassRegion(Box.whole(SHAPE), map), 0.7);
        assertEquals(new Box(1, 6, 2, 5, 1, 4), fusion.found());
    }

    @Test
    void nothingAboveTheFoundThresholdIsAnEmptyFoundBox() {
        RegionFusion fusion = new RegionFusion(SHAPE, 1, 0.5);
        fusion.add(0, new ClassRegion(Box.whole(SHAPE), new float[VOXELS]), 0.5);
        assertTrue(fusion.found().isEmpty());
    }

    @Test
    void focusingBeforeEveryClassIsFusedIsRefused() {
        RegionFusion fusion = new RegionFusion(SHAPE, 2, 0.5);
        fusion.add(0, new ClassRegion(Box.whole(SHAPE), new float[VOXELS]), 0.5);
        assertThrows(IllegalStateException.class, () -> fusion.focus(new Box(0, 2, 0, 2, 0, 2)));
    }
}
