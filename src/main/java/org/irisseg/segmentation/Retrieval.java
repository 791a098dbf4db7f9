package org.irisseg.segmentation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.irisseg.model.Box;
import org.irisseg.model.ClassRegion;
import org.irisseg.model.GridLogits;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ObjectBatcher;
import org.irisseg.task.Task;
import org.irisseg.task.TaskClass;

/**
 * Object-level retrieval: a coarse decode with the ensemble embedding, the query's predicted object per
 * class encoded with the query's own features, then per class the mean of the {@code k} reference
 * embeddings most similar to it (cosine). A class whose coarse prediction is empty keeps the ensemble.
 */
final class Retrieval {

    private Retrieval() {
    }

    static TaskEmbedding choose(Task task, List<TaskClass> classes, int k, double threshold, InferenceSession session,
            ImageFeatures features, InferenceTimings timings) {
        TaskEmbedding ensemble = EmbeddingSelection.ensemble(task, classes);
        GridLogits coarse = session.decodeGrid(features, ensemble.embeddings(), timings);
        ObjectBatcher objects = new ObjectBatcher(session, features, classes.size(), timings);
        for (int c = 0; c < classes.size(); c++) {
            ClassRegion region = session.upsample(features, coarse, c, threshold, timings);
            Box inside = boxAbove(region, threshold);
            if (!inside.isEmpty()) {
                objects.add(c, inside, maskAbove(region, inside, threshold));
            }
        }
        float[][] found = objects.embeddings();
        float[][] embeddings = ensemble.embeddings().clone();
        Map<Integer, List<Integer>> used = new LinkedHashMap<>(ensemble.referencesUsed());
        for (int c = 0; c < classes.size(); c++) {
            if (found[c] == null) {
                continue;
            }
            int label = classes.get(c).label();
            List<float[]> pool = task.embeddings(label);
            List<Integer> chosen = EmbeddingSelection.topK(found[c], pool, k);
            embeddings[c] = EmbeddingSelection.meanOf(pool, chosen);
            used.put(label, chosen);
        }
        return new TaskEmbedding(embeddings, used);
    }

    /** The box around a region's voxels above the threshold (empty when none is). */
    static Box boxAbove(ClassRegion region, double threshold) {
        Box b = region.box();
        float[] p = region.values();
        int[] r = null;
        int i = 0;
        for (int x = b.x0(); x < b.x1(); x++) {
            for (int y = b.y0(); y < b.y1(); y++) {
                for (int z = b.z0(); z < b.z1(); z++, i++) {
                    if (p[i] > threshold) {
                        if (r == null) {
                            r = new int[] {x, x, y, y, z, z};
                        } else {
                            r[1] = x;
                            r[2] = Math.min(r[2], y);
                            r[3] = Math.max(r[3], y);
                            r[4] = Math.min(r[4], z);
                            r[5] = Math.max(r[5], z);
                        }
                    }
                }
            }
        }
        return r == null ? new Box(0, 0, 0, 0, 0, 0) : new Box(r[0], r[1] + 1, r[2], r[3] + 1, r[4], r[5] + 1);
    }

    /** The binary mask {@code p > threshold} of a region over {@code inner}, a box inside the region's. */
    static float[] maskAbove(ClassRegion region, Box inner, double threshold) {
        Box b = region.box();
        float[] p = region.values();
        float[] mask = new float[(int) inner.voxels()];
        int i = 0;
        for (int x = inner.x0(); x < inner.x1(); x++) {
            for (int y = inner.y0(); y < inner.y1(); y++) {
                int from = ((x - b.x0()) * b.sizeY() + (y - b.y0())) * b.sizeZ() + (inner.z0() - b.z0());
                for (int z = 0; z < inner.sizeZ(); z++, i++) {
                    if (p[from + z] > threshold) {
                        mask[i] = 1f;
                    }
                }
            }
        }
        return mask;
    }
}
