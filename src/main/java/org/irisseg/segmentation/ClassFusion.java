package org.irisseg.segmentation;

import java.util.Arrays;
import java.util.List;

import org.irisseg.model.Box;
import org.irisseg.model.ClassRegion;
import org.irisseg.model.FocusPolicy;
import org.irisseg.model.GridLogits;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.WindowGrid;
import org.irisseg.volume.OrientedVolume;
import org.irisseg.volume.VoxelSize;

/**
 * Decodes a query's classes and fuses them into one label map ({@link RegionFusion}), and with focus
 * (locate, then focus; {@link FocusPolicy}) segments the query again inside a box around what the pass over
 * the whole query found, with the same embeddings, and pastes that over the whole-query result: the
 * service's side of {@code training/irisseg/evaluation/focus.py}, checked against the model's {@code focus}
 * test vectors. Where what was found is larger than the references' box allows, the query is segmented in
 * overlapping windows of that box's side instead ({@link FocusPolicy#queryWindows}), each class averaged over
 * the windows where they overlap, then fused inside the box around them.
 *
 * <p>Memory beyond an unfocused fusion: the crop of the query inside a focus box or window (at most one
 * volume), handed to the image encoder; with windows, then, each window's logits on the model grid and the
 * sum of one class over the windows' box (at most one volume, after the crops are released); the fusion's
 * two arrays are reused.
 */
final class ClassFusion {

    private ClassFusion() {
    }

    /**
     * @param fused    the label map with per class its voxels, mean probability and box
     * @param focusBox the focused pass's box, or the box around its windows (canonical voxels); null when none
     *                 ran: no focus asked for, the whole-query pass found nothing, or the box is the whole query
     * @param windows  focused passes that ran: 0, 1, or the number of windows
     */
    record Outcome(RegionFusion.Fused fused, Box focusBox, int windows) {
    }

    /**
     * @param features      the whole query's image features
     * @param probabilities null, or K canonical maps to fill (each class then decoded whole)
     * @param focusSideMm   the focus box's side (the references' largest), or NaN for no focused pass
     */
    static Outcome fuse(InferenceSession session, OrientedVolume query, ImageFeatures features,
            TaskEmbedding chosen, int[] labelValues, double threshold, float[] probabilities, double focusSideMm,
            InferenceTimings timings) {
        boolean focus = !Double.isNaN(focusSideMm);
        int[] shape = query.shape();
        Box whole = Box.whole(shape);
        RegionFusion fusion = new RegionFusion(shape, labelValues.length,
                focus ? FocusPolicy.FOUND_THRESHOLD : Double.POSITIVE_INFINITY);
        // with focus, every voxel above the found threshold must lie inside the regions the upsampler returns
        double wholeRegions = probabilities != null ? 0 : focus ? Math.min(threshold, FocusPolicy.FOUND_THRESHOLD)
                : threshold;
        addClasses(session, features, chosen, fusion, whole, wholeRegions, threshold, probabilities, shape, timings);
        Box found = fusion.found();
        if (!focus || found.isEmpty()) {
            return new Outcome(fusion.finish(labelValues), null, 0);
        }
        WindowGrid grid = FocusPolicy.queryWindows(found, VoxelSize.spacingMm(query), focusSideMm, shape);
        if (grid.size() > 1) {
            addWindows(session, query, chosen, fusion, grid, threshold, probabilities, timings);
            return new Outcome(fusion.finish(labelValues), grid.bounds(), grid.size());
        }
        Box box = grid.bounds();
        if (box.equals(whole)) {
            return new Outcome(fusion.finish(labelValues), null, 0);
        }
        fusion.focus(box);
        try (ImageFeatures crop = session.encodeImage(box.shape(), box.cut(shape, query.canonical().data()),
                timings)) {
            addClasses(session, crop, chosen, fusion, box, probabilities != null ? 0 : threshold, threshold,
                    probabilities, shape, timings);
        }
        return new Outcome(fusion.finish(labelValues), box, 1);
    }

    /**
     * Segments each window (encoded, decoded on the model grid, its features released), then fuses class after
     * class inside the box around the windows, which they cover: the class's probabilities in every window
     * (whole windows), summed and divided by the number of windows over each voxel.
     */
    private static void addWindows(InferenceSession session, OrientedVolume query, TaskEmbedding chosen,
            RegionFusion fusion, WindowGrid grid, double threshold, float[] probabilities, InferenceTimings timings) {
        int[] shape = query.shape();
        List<Box> windows = grid.boxes();
        Box around = grid.bounds();
        GridLogits[] logits = new GridLogits[windows.size()];
        for (int i = 0; i < logits.length; i++) {
            Box w = windows.get(i);
            try (ImageFeatures crop = session.encodeImage(w.shape(), w.cut(shape, query.canonical().data()),
                    timings)) {
                logits[i] = session.decodeGrid(crop, chosen.embeddings(), timings);
            }
        }
        int[][] cover = grid.coverPerAxis();
        fusion.focus(around);
        float[] sum = new float[(int) around.voxels()];
        Box inside = Box.whole(around.shape());
        for (int k = 0; k < chosen.embeddings().length; k++) {
            Arrays.fill(sum, 0f);
            for (int i = 0; i < logits.length; i++) {
                Box w = windows.get(i);
                ClassRegion region = session.upsample(w.shape(), logits[i], k, 0, timings);
                accumulate(sum, around, w.relativeTo(around), region);
            }
            divide(sum, around.shape(), cover);
            ClassRegion mean = new ClassRegion(inside, sum);
            fusion.add(k, mean, threshold);
            if (probabilities != null) {
                paste(probabilities, k, mean, around, shape);
            }
        }
    }

    /** Adds a whole window's values (its region, box {@code at} inside {@code around}) into {@code sum}. */
    private static void accumulate(float[] sum, Box around, Box at, ClassRegion region) {
        if (!region.box().equals(Box.whole(at.shape()))) {
            throw new IllegalStateException("window region " + region.box() + " is not the whole window " + at);
        }
        int[] size = around.shape();
        float[] values = region.values();
        int i = 0;
        for (int x = at.x0(); x < at.x1(); x++) {
            for (int y = at.y0(); y < at.y1(); y++) {
                int base = (x * size[1] + y) * size[2];
                for (int z = at.z0(); z < at.z1(); z++, i++) {
                    sum[base + z] += values[i];
                }
            }
        }
    }

    /**
     * Divides each voxel's sum by the windows over it. Windows form a grid, so the windows over a voxel are
     * the product of those over each of its coordinates.
     */
    private static void divide(float[] sum, int[] size, int[][] cover) {
        int v = 0;
        for (int x = 0; x < size[0]; x++) {
            for (int y = 0; y < size[1]; y++) {
                int xy = cover[0][x] * cover[1][y];
                for (int z = 0; z < size[2]; z++, v++) {
                    sum[v] /= xy * cover[2][z];
                }
            }
        }
    }

    /**
     * Decodes on the model grid and fuses class after class, each only where it can exceed
     * {@code regionThreshold}, into the fusion's current box {@code inside} of the query.
     */
    private static void addClasses(InferenceSession session, ImageFeatures features, TaskEmbedding chosen,
            RegionFusion fusion, Box inside, double regionThreshold, double threshold, float[] probabilities,
            int[] shape, InferenceTimings timings) {
        GridLogits logits = session.decodeGrid(features, chosen.embeddings(), timings);
        for (int k = 0; k < logits.classes(); k++) {
            ClassRegion region = session.upsample(features, logits, k, regionThreshold, timings);
            fusion.add(k, region, threshold);
            if (probabilities != null) {
                paste(probabilities, k, region, inside, shape);
            }
        }
    }

    /** Writes a class's region, given in the coordinates of {@code inside}, into map {@code k} of {@code maps}. */
    private static void paste(float[] maps, int k, ClassRegion region, Box inside, int[] shape) {
        Box b = region.box();
        long offset = (long) k * shape[0] * shape[1] * shape[2];
        int i = 0;
        for (int x = b.x0() + inside.x0(); x < b.x1() + inside.x0(); x++) {
            for (int y = b.y0() + inside.y0(); y < b.y1() + inside.y0(); y++) {
                int at = (int) (offset + ((long) x * shape[1] + y) * shape[2] + b.z0() + inside.z0());
                System.arraycopy(region.values(), i, maps, at, b.sizeZ());
                i += b.sizeZ();
            }
        }
    }
}
