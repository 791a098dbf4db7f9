package org.irisseg.segmentation;

import java.util.ArrayList;
import java.util.List;

import org.irisseg.config.IrisProperties;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.task.EmbeddingMath;
import org.irisseg.task.Task;
import org.irisseg.task.TaskClass;

/**
 * The quality of every class of an answer, computed while the query's features are at hand: the
 * predicted volume against the task's reference volumes, the mean probability inside the predicted
 * region, the predicted object's embedding (one task-encoder call for all classes) against the class's
 * reference embeddings, and, where the mode combines several references, each member decoded on its own
 * (up to {@code maxMembers}) and compared with the answer. The members' per-voxel spread is kept on request.
 */
final class QualityCheck {

    private QualityCheck() {
    }

    /**
     * @param probabilities K*V canonical probabilities the answer was fused from
     * @param fused         the answer, in the same voxel order
     * @param keepSpread    whether to return the members' per-voxel standard deviation
     */
    static Assessment assess(Task task, List<TaskClass> classes, TaskEmbedding chosen, float[] probabilities,
            LabelFusion.Fused fused, double voxelMl, double threshold, IrisProperties.Quality thresholds,
            boolean keepSpread, InferenceSession session, ImageFeatures features, InferenceTimings timings) {
        int k = classes.size();
        int voxels = fused.labels().length;
        double[] meanP = meanProbabilities(probabilities, fused, classes);
        double[] similarity = similarities(task, classes, fused, session, features, timings);
        int members = keepSpread ? memberCount(chosen, classes, Integer.MAX_VALUE)
                : memberCount(chosen, classes, thresholds.maxMembers());
        double[] agreement = new double[k];
        float[] sum = keepSpread ? new float[k * voxels] : null;
        float[] squares = keepSpread ? new float[k * voxels] : null;
        for (int m = 0; members > 1 && m < members; m++) {
            float[][] embeddings = new float[k][];
            for (int c = 0; c < k; c++) {
                int reference = chosen.referencesUsed().get(classes.get(c).label()).get(m);
                embeddings[c] = task.references().get(reference).embedding(classes.get(c).label());
            }
            float[] member = session.decode(features, embeddings, timings);
            for (int c = 0; c < k; c++) {
                agreement[c] += dice(member, c, voxels, threshold, fused.labels(), classes.get(c).label()) / members;
            }
            if (keepSpread) {
                for (int i = 0; i < member.length; i++) {
                    sum[i] += member[i];
                    squares[i] += member[i] * member[i];
                }
            }
        }
        List<ClassQuality> out = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            List<Double> volumes = task.referenceVolumesMl(classes.get(c).label());
            long count = fused.counts()[c];
            out.add(new ClassQuality(count, count * voxelMl,
                    volumes.isEmpty() ? null : volumes.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                    volumes.isEmpty() ? null : volumes.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
                    count == 0 ? null : meanP[c], count == 0 ? null : similarity[c],
                    members > 1 ? agreement[c] : null, Math.max(1, members), List.of()).flagged(thresholds));
        }
        return new Assessment(out, keepSpread && members > 1 ? spread(sum, squares, members) : null, members);
    }

    /**
     * Members compared, the same for every class: the fewest any class's embedding combines (retrieval
     * gives a class without a coarse object the whole pool, the others their top k), at most {@code max}.
     */
    static int memberCount(TaskEmbedding chosen, List<TaskClass> classes, int max) {
        int used = Integer.MAX_VALUE;
        for (TaskClass c : classes) {
            used = Math.min(used, chosen.referencesUsed().get(c.label()).size());
        }
        return Math.min(used, max);
    }

    private static double[] meanProbabilities(float[] probabilities, LabelFusion.Fused fused, List<TaskClass> classes) {
        int voxels = fused.labels().length;
        double[] sums = new double[classes.size()];
        for (int c = 0; c < classes.size(); c++) {
            int label = classes.get(c).label();
            for (int i = 0; i < voxels; i++) {
                if (fused.labels()[i] == label) {
                    sums[c] += probabilities[c * voxels + i];
                }
            }
            sums[c] = fused.counts()[c] == 0 ? 0 : sums[c] / fused.counts()[c];
        }
        return sums;
    }

    /** Per class, the largest cosine similarity of the predicted object's embedding to a reference embedding. */
    private static double[] similarities(Task task, List<TaskClass> classes, LabelFusion.Fused fused,
            InferenceSession session, ImageFeatures features, InferenceTimings timings) {
        int voxels = fused.labels().length;
        List<Integer> present = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            if (fused.counts()[c] > 0) {
                present.add(c);
            }
        }
        double[] out = new double[classes.size()];
        if (present.isEmpty()) {
            return out;
        }
        float[] masks = new float[present.size() * voxels];
        for (int j = 0; j < present.size(); j++) {
            int label = classes.get(present.get(j)).label();
            for (int i = 0; i < voxels; i++) {
                if (fused.labels()[i] == label) {
                    masks[j * voxels + i] = 1f;
                }
            }
        }
        float[][] objects = session.encodeTask(features, present.size(), masks, timings);
        for (int j = 0; j < present.size(); j++) {
            double best = -1;
            for (float[] reference : task.embeddings(classes.get(present.get(j)).label())) {
                best = Math.max(best, EmbeddingMath.cosine(objects[j], reference));
            }
            out[present.get(j)] = best;
        }
        return out;
    }

    /** Dice of a member's mask of class {@code c} (p above the threshold) with the answer's voxels of {@code label}. */
    static double dice(float[] member, int c, int voxels, double threshold, int[] answer, int label) {
        long both = 0;
        long inMember = 0;
        long inAnswer = 0;
        for (int i = 0; i < voxels; i++) {
            boolean m = member[c * voxels + i] > threshold;
            boolean a = answer[i] == label;
            inMember += m ? 1 : 0;
            inAnswer += a ? 1 : 0;
            both += m && a ? 1 : 0;
        }
        return inMember + inAnswer == 0 ? 1.0 : 2.0 * both / (inMember + inAnswer);
    }

    /** Per voxel, the standard deviation of the members' probabilities. */
    private static float[] spread(float[] sum, float[] squares, int members) {
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            float mean = sum[i] / members;
            out[i] = (float) Math.sqrt(Math.max(0f, squares[i] / members - mean * mean));
        }
        return out;
    }

    /**
     * @param classes per class, its quality
     * @param spread  K*V canonical standard deviations of the members' probabilities, when asked for and the
     *                mode has several members; null otherwise
     * @param members ensemble members compared
     */
    record Assessment(List<ClassQuality> classes, float[] spread, int members) {
    }
}
