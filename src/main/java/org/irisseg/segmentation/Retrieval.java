package org.irisseg.segmentation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
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
        float[] coarse = session.decode(features, ensemble.embeddings(), timings);
        int voxels = (int) features.voxels();
        List<Integer> present = new ArrayList<>();
        float[] objectMasks = new float[classes.size() * voxels];
        for (int c = 0; c < classes.size(); c++) {
            float[] mask = LabelFusion.classMask(coarse, c, voxels, threshold);
            if (LabelFusion.anyInside(mask)) {
                System.arraycopy(mask, 0, objectMasks, present.size() * voxels, voxels);
                present.add(c);
            }
        }
        if (present.isEmpty()) {
            return ensemble;
        }
        float[][] objects = session.encodeTask(features, present.size(),
                Arrays.copyOf(objectMasks, present.size() * voxels), timings);
        float[][] embeddings = ensemble.embeddings().clone();
        Map<Integer, List<Integer>> used = new LinkedHashMap<>(ensemble.referencesUsed());
        for (int i = 0; i < present.size(); i++) {
            int label = classes.get(present.get(i)).label();
            List<float[]> pool = task.embeddings(label);
            List<Integer> chosen = EmbeddingSelection.topK(objects[i], pool, k);
            embeddings[present.get(i)] = EmbeddingSelection.meanOf(pool, chosen);
            used.put(label, chosen);
        }
        return new TaskEmbedding(embeddings, used);
    }
}
