package org.irisseg.segmentation;

import java.util.ArrayList;
import java.util.List;

import org.irisseg.config.IrisProperties;
import org.irisseg.model.Box;
import org.irisseg.model.ClassRegion;
import org.irisseg.model.GridLogits;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.model.ObjectBatcher;
import org.irisseg.task.EmbeddingMath;
import org.irisseg.task.Task;
import org.irisseg.task.TaskClass;

/**
 * The quality of every class of an answer, computed while the query's features are at hand: the
 * predicted volume against the task's reference volumes, the mean probability inside the predicted
 * region, the predicted object's embedding (the object encoder on each object's box, classes batched)
 * against the class's reference embeddings, and, where the mode combines several references, each member decoded on its own
 * (up to {@code maxMembers}) and compared with the answer. The members' per-voxel spread is kept on request.
 * Every class is looked at where it can be above the threshold (its region, its box), so nothing here
 * holds K volume-sized arrays except the spread that is asked for.
 */
final class QualityCheck {

    private QualityCheck() {
    }

    /**
     * @param fused      the answer, fused on the canonical grid
     * @param keepSpread whether to return the members' per-voxel standard deviation (K whole maps)
     */
    static Assessment assess(Task task, List<TaskClass> classes, TaskEmbedding chosen, RegionFusion.Fused fused,
            double voxelMl, double threshold, IrisProperties.Quality thresholds, boolean keepSpread,
            InferenceSession session, ImageFeatures features, InferenceTimings timings) {
        int k = classes.size();
        int voxels = fused.labels().length;
        double[] similarity = similarities(task, classes, fused, session, features, timings);
        int members = keepSpread ? memberCount(chosen, classes, Integer.MAX_VALUE)
                : memberCount(chosen, classes, thresholds.maxMembers());
        double[] agreement = new double[k];
        float[] sum = keepSpread && members > 1 ? new float[Math.multiplyExact(k, voxels)] : null;
        float[] squares = sum == null ? null : new float[sum.length];
        for (int m = 0; members > 1 && m < members; m++) {
            float[][] embeddings = new float[k][];
            for (int c = 0; c < k; c++) {
                int reference = chosen.referencesUsed().get(classes.get(c).label()).get(m);
                embeddings[c] = task.references().get(reference).embedding(classes.get(c).label());
            }
            GridLogits member = session.decodeGrid(features, embeddings, timings);
            for (int c = 0; c < k; c++) {
                ClassRegion region = session.upsample(features, member, c, sum != null ? 0 : threshold, timings);
                agreement[c] += dice(region, features.shape(), threshold, fused.labels(), classes.get(c).label(),
                        fused.counts()[c]) / members;
                if (sum != null) {
                    float[] p = region.values();
                    int offset = c * voxels;
                    for (int i = 0; i < voxels; i++) {
                        sum[offset + i] += p[i];
                        squares[offset + i] += p[i] * p[i];
                    }
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
                    count == 0 ? null : fused.meanProbabilities()[c], count == 0 ? null : similarity[c],
                    members > 1 ? agreement[c] : null, Math.max(1, members), List.of()).flagged(thresholds));
        }
        return new Assessment(out, sum != null ? spread(sum, squares, members) : null, members);
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

    /**
     * Per class, the largest cosine similarity of the predicted object's embedding to a reference embedding;
     * each object is encoded from the box around its voxels.
     */
    private static double[] similarities(Task task, List<TaskClass> classes, RegionFusion.Fused fused,
            InferenceSession session, ImageFeatures features, InferenceTimings timings) {
        int[] shape = features.shape();
        ObjectBatcher objects = new ObjectBatcher(session, features, classes.size(), timings);
        for (int c = 0; c < classes.size(); c++) {
            Box box = fused.boxes()[c];
            if (fused.counts()[c] > 0) {
                objects.add(c, box, crop(fused.labels(), shape, box, classes.get(c).label()));
            }
        }
        float[][] embeddings = objects.embeddings();
        double[] out = new double[classes.size()];
        for (int c = 0; c < classes.size(); c++) {
            if (embeddings[c] == null) {
                continue;
            }
            double best = -1;
            for (float[] reference : task.embeddings(classes.get(c).label())) {
                best = Math.max(best, EmbeddingMath.cosine(embeddings[c], reference));
            }
            out[c] = best;
        }
        return out;
    }

    /** The binary mask of {@code label} over {@code box} of a canonical label map. */
    static float[] crop(int[] labels, int[] shape, Box box, int label) {
        return box.mask(shape, i -> labels[i] == label);
    }

    /**
     * Dice of a member's mask of one class (p above the threshold; outside the region it is not) with the
     * answer's {@code answerCount} voxels of {@code label}.
     */
    static double dice(ClassRegion member, int[] shape, double threshold, int[] answer, int label, long answerCount) {
        long both = 0;
        long inMember = 0;
        Box b = member.box();
        float[] p = member.values();
        int i = 0;
        for (int x = b.x0(); x < b.x1(); x++) {
            for (int y = b.y0(); y < b.y1(); y++) {
                int base = (x * shape[1] + y) * shape[2];
                for (int z = b.z0(); z < b.z1(); z++, i++) {
                    if (p[i] > threshold) {
                        inMember++;
                        if (answer[base + z] == label) {
                            both++;
                        }
                    }
                }
            }
        }
        return inMember + answerCount == 0 ? 1.0 : 2.0 * both / (inMember + answerCount);
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
