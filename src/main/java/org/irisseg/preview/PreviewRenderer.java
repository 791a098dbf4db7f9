package org.irisseg.preview;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

import javax.imageio.ImageIO;

/**
 * A PNG montage of three orthogonal slices (axial, coronal, sagittal) through the centre of the predicted
 * objects, the label map drawn over the image in one colour per class. Slices are in radiological
 * convention (the patient's right on the image's left; anterior up in the axial, superior up in the
 * coronal and sagittal views, anterior left in the sagittal), scaled by the voxel spacing.
 */
public final class PreviewRenderer {

    /** The longest side of a panel, in pixels. */
    static final int PANEL_PIXELS = 256;
    static final int GAP = 4;
    static final float ALPHA = 0.45f;
    private static final Color[] PALETTE = {new Color(230, 25, 75), new Color(60, 180, 75), new Color(255, 225, 25),
            new Color(0, 130, 200), new Color(245, 130, 48), new Color(145, 30, 180), new Color(70, 240, 240),
            new Color(240, 50, 230), new Color(210, 245, 60), new Color(250, 190, 212)};

    private PreviewRenderer() {
    }

    /**
     * @param shape   canonical RAS+ [X, Y, Z]
     * @param image   X*Y*Z intensities in C order (index (x*Y + y)*Z + z)
     * @param labels  label map in the same order
     * @param classes label values in class order; class i is drawn in palette colour i
     * @param spacing voxel size along X, Y, Z in mm
     * @return the PNG file
     */
    public static byte[] png(int[] shape, float[] image, int[] labels, int[] classes, double[] spacing) {
        Volume v = new Volume(shape, image, labels, classes, window(image));
        int[] c = centre(shape, labels);
        int x = shape[0];
        int y = shape[1];
        int z = shape[2];
        // axial: u over x (right on the left), v over y (anterior up); coronal: x, z; sagittal: y (anterior left), z
        BufferedImage axial = v.slice(x, y, (u, w) -> v.index(x - 1 - u, y - 1 - w, c[2]));
        BufferedImage coronal = v.slice(x, z, (u, w) -> v.index(x - 1 - u, c[1], z - 1 - w));
        BufferedImage sagittal = v.slice(y, z, (u, w) -> v.index(c[0], y - 1 - u, z - 1 - w));
        double[][] extents = {{x * spacing[0], y * spacing[1]}, {x * spacing[0], z * spacing[2]},
                {y * spacing[1], z * spacing[2]}};
        double longest = Arrays.stream(extents).flatMapToDouble(Arrays::stream).max().orElse(1);
        double scale = PANEL_PIXELS / longest;
        BufferedImage[] panels = {axial, coronal, sagittal};
        int width = GAP;
        int height = 0;
        int[][] sizes = new int[3][];
        for (int i = 0; i < 3; i++) {
            sizes[i] = new int[] {Math.max(1, (int) Math.round(extents[i][0] * scale)),
                    Math.max(1, (int) Math.round(extents[i][1] * scale))};
            width += sizes[i][0] + GAP;
            height = Math.max(height, sizes[i][1]);
        }
        BufferedImage montage = new BufferedImage(width, height + 2 * GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = montage.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            int at = GAP;
            for (int i = 0; i < 3; i++) {
                g.drawImage(panels[i], at, GAP + (height - sizes[i][1]) / 2, sizes[i][0], sizes[i][1], null);
                at += sizes[i][0] + GAP;
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(montage, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Voxel at which the three slices cross: the centroid of every labelled voxel, else the volume's centre. */
    static int[] centre(int[] shape, int[] labels) {
        long[] sum = new long[3];
        long n = 0;
        int yz = shape[1] * shape[2];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0) {
                sum[0] += i / yz;
                sum[1] += (i / shape[2]) % shape[1];
                sum[2] += i % shape[2];
                n++;
            }
        }
        int[] c = new int[3];
        for (int a = 0; a < 3; a++) {
            c[a] = n == 0 ? shape[a] / 2 : (int) Math.round((double) sum[a] / n);
        }
        return c;
    }

    /** Display window: the 1st and 99th percentile of the intensities (sampled). */
    static float[] window(float[] image) {
        int step = Math.max(1, image.length / 200_000);
        float[] sample = new float[(image.length + step - 1) / step];
        for (int i = 0, j = 0; i < image.length; i += step, j++) {
            sample[j] = Float.isFinite(image[i]) ? image[i] : 0f;
        }
        Arrays.sort(sample);
        float lo = sample[(int) (0.01 * (sample.length - 1))];
        float hi = sample[(int) (0.99 * (sample.length - 1))];
        return new float[] {lo, hi > lo ? hi : lo + 1};
    }

    @FunctionalInterface
    private interface Pixel {
        int index(int u, int v);
    }

    private record Volume(int[] shape, float[] image, int[] labels, int[] classes, float[] window) {

        int index(int x, int y, int z) {
            return (x * shape[1] + y) * shape[2] + z;
        }

        BufferedImage slice(int width, int height, Pixel at) {
            BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            for (int v = 0; v < height; v++) {
                for (int u = 0; u < width; u++) {
                    int i = at.index(u, v);
                    float grey = Math.min(1f, Math.max(0f, (image[i] - window[0]) / (window[1] - window[0])));
                    float r = grey;
                    float g = grey;
                    float b = grey;
                    int k = classIndex(labels[i]);
                    if (k >= 0) {
                        Color c = PALETTE[k % PALETTE.length];
                        r = (1 - ALPHA) * grey + ALPHA * c.getRed() / 255f;
                        g = (1 - ALPHA) * grey + ALPHA * c.getGreen() / 255f;
                        b = (1 - ALPHA) * grey + ALPHA * c.getBlue() / 255f;
                    }
                    out.setRGB(u, v, new Color(r, g, b).getRGB());
                }
            }
            return out;
        }

        private int classIndex(int label) {
            if (label == 0) {
                return -1;
            }
            for (int k = 0; k < classes.length; k++) {
                if (classes[k] == label) {
                    return k;
                }
            }
            return -1;
        }
    }
}
