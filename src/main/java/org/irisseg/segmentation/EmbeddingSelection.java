package org.irisseg.segmentation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.task.EmbeddingMath;
import org.irisseg.task.Task;
import org.irisseg.task.TaskClass;

/** Chooses per-class task embeddings from a task's reference pool (no model calls). */
public final class EmbeddingSelection {

    private EmbeddingSelection() {
    }

    /** One-shot: the embeddings of reference {@code index}, one per class. */
    public static TaskEmbedding oneShot(Task task, List<TaskClass> classes, int index) {
        requireReference(task, index);
        float[][] out = new float[classes.size()][];
        Map<Integer, List<Integer>> used = new LinkedHashMap<>();
        for (int k = 0; k < classes.size(); k++) {
            out[k] = task.references().get(index).embedding(classes.get(k).label());
            used.put(classes.get(k).label(), List.of(index));
        }
        return new TaskEmbedding(out, used);
    }

    /** Refuses a reference index outside the task's pool. */
    public static void requireReference(Task task, int index) {
        if (index < 0 || index >= task.references().size()) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'referenceIndex' is " + index + " but the task has "
                    + task.references().size() + " reference(s); use 0 to " + (task.references().size() - 1));
        }
    }

    /** Context ensemble: per class the mean of all reference embeddings. */
    public static TaskEmbedding ensemble(Task task, List<TaskClass> classes) {
        List<Integer> all = IntStream.range(0, task.references().size()).boxed().toList();
        float[][] out = new float[classes.size()][];
        Map<Integer, List<Integer>> used = new LinkedHashMap<>();
        for (int k = 0; k < classes.size(); k++) {
            out[k] = EmbeddingMath.mean(task.embeddings(classes.get(k).label()));
            used.put(classes.get(k).label(), all);
        }
        return new TaskEmbedding(out, used);
    }

    /**
     * Indices of the {@code k} candidates most similar to {@code query} (cosine), most similar first; ties
     * keep pool order.
     */
    public static List<Integer> topK(float[] query, List<float[]> candidates, int k) {
        List<Integer> order = new ArrayList<>();
        double[] similarity = new double[candidates.size()];
        for (int i = 0; i < candidates.size(); i++) {
            similarity[i] = EmbeddingMath.cosine(query, candidates.get(i));
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -similarity[i]).thenComparingInt(i -> i));
        return List.copyOf(order.subList(0, Math.min(k, order.size())));
    }

    /** Mean of the chosen candidates. */
    public static float[] meanOf(List<float[]> candidates, List<Integer> chosen) {
        List<float[]> picked = new ArrayList<>(chosen.size());
        chosen.forEach(i -> picked.add(candidates.get(i)));
        return EmbeddingMath.mean(picked);
    }
}
