package org.irisseg.preview;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/** The PNG montage of a segmentation: three orthogonal slices with the labels over the image. */
class PreviewRendererTest {

    private static final int[] SHAPE = {20, 30, 10};

    private static int index(int x, int y, int z) {
        return (x * SHAPE[1] + y) * SHAPE[2] + z;
    }

    private static int[] cube(int label, int x0, int y0, int z0, int size) {
        int[] labels = new int[SHAPE[0] * SHAPE[1] * SHAPE[2]];
        for (int x = x0; x < x0 + size; x++) {
            for (int y = y0; y < y0 + size; y++) {
                for (int z = z0; z < z0 + size; z++) {
                    labels[index(x, y, z)] = label;
                }
            }
        }
        return labels;
    }

    @Test
    void theSlicesCrossAtTheCentroidOfTheLabelledVoxels() {
        assertArrayEquals(new int[] {5, 11, 3}, PreviewRenderer.centre(SHAPE, cube(2, 4, 10, 2, 3)));
        assertArrayEquals(new int[] {10, 15, 5}, PreviewRenderer.centre(SHAPE, new int[20 * 30 * 10]));
    }

    @Test
    void theMontageIsThreePanelsScaledByTheVoxelSpacingWithTheLabelsTinted() throws Exception {
        float[] image = new float[SHAPE[0] * SHAPE[1] * SHAPE[2]];
        java.util.Arrays.fill(image, 100f);
        byte[] png = PreviewRenderer.png(SHAPE, image, cube(1, 4, 10, 2, 3), new int[] {1}, new double[] {1, 1, 2});
        BufferedImage montage = ImageIO.read(new ByteArrayInputStream(png));
        // longest extent 30 mm -> 256 px: axial 171x256, coronal 171x171, sagittal 256x171, gaps of 4
        assertEquals(4 + 171 + 4 + 171 + 4 + 256 + 4, montage.getWidth());
        assertEquals(256 + 8, montage.getHeight());
        int gray = montage.getRGB(10, 10);
        assertEquals(gray & 0xff, (gray >> 8) & 0xff, "unlabelled voxels are grey");
        // axial panel: x = 5 -> column (19 - 5) * 8.53, y = 11 -> row (29 - 11) * 8.53
        int tinted = montage.getRGB(4 + (int) ((19 - 5 + 0.5) * 256 / 30.0), 4 + (int) ((29 - 11 + 0.5) * 256 / 30.0));
        assertNotEquals(tinted & 0xff, (tinted >> 16) & 0xff, "labelled voxels carry their class colour");
    }
}
