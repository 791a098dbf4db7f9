package org.irisseg.segmentation;

import org.irisseg.model.Box;
import org.irisseg.model.ClassRegion;
import org.irisseg.model.FocusPolicy;
import org.irisseg.model.GridLogits;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.volume.OrientedVolume;
import org.irisseg.volume.VoxelSize;

/**
 * Decodes a query's classes and fuses them into one label map ({@link RegionFusion}), and with focus
 * (locate, then focus; {@link FocusPolicy}) segments the query again inside a box around what the pass over
 * the whole query found, with the same embeddings, and pastes that over the whole-query result: the
 * service's side of {@code training/irisseg/evaluation/focus.py}, checked against the model's {@code focus}
 * test vectors.
 *
 * <p>Memory beyond an unfocused fusion: the crop of the query inside the focus box (at most one volume),
 * handed to the image encoder; the fusion's two arrays are reused.
 */
final class ClassFusion {

    private ClassFusion() {
    }

    /**
     * @param fused    the label map with per class its voxels, mean probability and box
     * @param focusBox the focused pass's box (canonical voxels); null when none ran: no focus asked for, the
     *                 whole-query pass found nothing, or the box is the whole query
     */
    record Outcome(RegionFusion.Fused fused, Box focusBox) {
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
            return new Outcome(fusion.finish(labelValues), null);
        }
        Box box = FocusPolicy.queryBox(found, VoxelSize.spacingMm(query), focusSideMm, shape);
        if (box.equals(whole)) {
            return new Outcome(fusion.finish(labelValues), null);
        }
        fusion.focus(box);
        try (ImageFeatures crop = session.encodeImage(box.shape(), box.cut(shape, query.canonical().data()),
                timings)) {
            addClasses(session, crop, chosen, fusion, box, probabilities != null ? 0 : threshold, threshold,
                    probabilities, shape, timings);
        }
        return new Outcome(fusion.finish(labelValues), box);
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
