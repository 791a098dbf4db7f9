package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.irisseg.model.BoundedPool;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.task.Task;
import org.irisseg.task.TaskService;
import org.irisseg.volume.OrientedVolume;
import org.irisseg.volume.VolumeReader;
import org.irisseg.volume.VolumeUpload;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/**
 * Retrieval over HTTP against a recomputation in this test: the same three model calls, with the top-k
 * choice, the means and the fusion written out here, on a 3-reference pool with k = 2 (so a retrieved
 * class, 2 references, and a class that falls back to the ensemble, all 3, tell apart).
 */
class RetrievalTest extends IrisIntegrationTest {

    private static final int K = 2;
    private static final double THRESHOLD = 0.5;
    private static String taskId;

    @Autowired
    TaskService tasks;

    @Autowired
    VolumeReader reader;

    /**
     * @param referencesUsed label -> pool indices behind its embedding
     * @param voxels         label -> voxels of the final label map
     * @param fellBack       labels whose coarse prediction was empty
     */
    record Expected(Map<Integer, List<Integer>> referencesUsed, Map<Integer, Long> voxels, List<Integer> fellBack) {
    }

    @BeforeEach
    void registerOnce() throws Exception {
        if (taskId == null) {
            taskId = registerHippocampus("retrieval", Hippocampus.REFERENCES);
        }
    }

    @Test
    void retrievalChoosesTheKReferencesMostSimilarToTheQuerysOwnObject() throws Exception {
        byte[] query = Files.readAllBytes(Hippocampus.image(Hippocampus.QUERIES.get(1)));
        Expected expected = recompute(query);
        assertEquals(List.of(), expected.fellBack(), "every class of a hippocampus query has a coarse object");

        JsonNode answer = retrieval(query);

        assertEquals(expected.referencesUsed(), referencesUsed(answer));
        expected.referencesUsed().values().forEach(used -> assertEquals(K, used.size(), used.toString()));
        assertEquals(expected.voxels(), voxels(answer));
        assertTrue(expected.voxels().values().stream().allMatch(v -> v > 0), expected.voxels().toString());
    }

    @Test
    void aClassWithoutACoarseObjectFallsBackToTheWholePool() throws Exception {
        byte[] blank = NiftiBytes.volume(32, 32, 32).nii();
        Expected expected = recompute(blank);
        assertTrue(!expected.fellBack().isEmpty(), "a blank query should leave some class without a coarse object;"
                + " this model predicts one for every class (" + expected.voxels() + "), choose another probe");

        JsonNode answer = retrieval(blank);

        assertEquals(expected.referencesUsed(), referencesUsed(answer));
        for (int label : expected.fellBack()) {
            assertEquals(List.of(0, 1, 2), referencesUsed(answer).get(label), "class " + label + " fell back");
        }
        assertEquals(expected.voxels(), voxels(answer));
    }

    private JsonNode retrieval(byte[] query) {
        HttpResponse<byte[]> response = client().post("/api/v1/segmentations", Multipart.form()
                .file("image", "query.nii.gz", query).field("taskId", taskId).field("mode", "retrieval")
                .field("k", String.valueOf(K)).field("threshold", String.valueOf(THRESHOLD)), "application/json");
        assertEquals(200, response.statusCode(), new String(response.body()));
        return IrisClient.json(response);
    }

    private static Map<Integer, List<Integer>> referencesUsed(JsonNode answer) {
        Map<Integer, List<Integer>> out = new LinkedHashMap<>();
        answer.path("referencesUsed").properties().forEach(e -> out.put(Integer.parseInt(e.getKey()),
                e.getValue().valueStream().map(JsonNode::asInt).toList()));
        return out;
    }

    private static Map<Integer, Long> voxels(JsonNode answer) {
        Map<Integer, Long> out = new LinkedHashMap<>();
        answer.path("classes").forEach(c -> out.put(c.path("label").asInt(), c.path("voxels").asLong()));
        return out;
    }

    /** Object-level retrieval as the paper describes it, from the model's calls and the stored embeddings. */
    private Expected recompute(byte[] query) {
        Task task = tasks.get(IrisClient.TENANT, taskId);
        OrientedVolume volume = reader.readImage(new VolumeUpload("query", () -> new ByteArrayInputStream(query)),
                "query");
        List<Integer> labels = task.labels();
        InferenceTimings timings = new InferenceTimings();
        try (BoundedPool.Lease<InferenceSession> lease = model.lease(timings);
                ImageFeatures features = lease.get().encodeImage(volume.shape(), volume.canonical().data(), timings)) {
            InferenceSession session = lease.get();
            int voxels = (int) features.voxels();
            List<Integer> all = IntStream.range(0, task.references().size()).boxed().toList();
            float[][] embeddings = new float[labels.size()][];
            for (int c = 0; c < labels.size(); c++) {
                embeddings[c] = mean(task.embeddings(labels.get(c)), all);
            }
            float[] coarse = session.decode(features, embeddings, timings);
            Map<Integer, List<Integer>> used = new LinkedHashMap<>();
            List<Integer> present = new ArrayList<>();
            List<Integer> fellBack = new ArrayList<>();
            float[] masks = new float[labels.size() * voxels];
            for (int c = 0; c < labels.size(); c++) {
                used.put(labels.get(c), all);
                boolean any = false;
                for (int i = 0; i < voxels; i++) {
                    boolean inside = coarse[c * voxels + i] > THRESHOLD;
                    masks[present.size() * voxels + i] = inside ? 1f : 0f;
                    any |= inside;
                }
                if (any) {
                    present.add(c);
                } else {
                    fellBack.add(labels.get(c));
                }
            }
            if (!present.isEmpty()) {
                float[][] objects = session.encodeTask(features, present.size(),
                        Arrays.copyOf(masks, present.size() * voxels), timings);
                for (int i = 0; i < present.size(); i++) {
                    int label = labels.get(present.get(i));
                    List<Integer> chosen = mostSimilar(objects[i], task.embeddings(label));
                    used.put(label, chosen);
                    embeddings[present.get(i)] = mean(task.embeddings(label), chosen);
                }
            }
            return new Expected(used, fuse(session.decode(features, embeddings, timings), labels), fellBack);
        }
    }

    /** The K pool indices of highest cosine similarity, most similar first, ties in pool order. */
    private static List<Integer> mostSimilar(float[] object, List<float[]> pool) {
        double[] cosine = new double[pool.size()];
        for (int r = 0; r < pool.size(); r++) {
            double dot = 0;
            double a = 0;
            double b = 0;
            for (int i = 0; i < object.length; i++) {
                dot += (double) object[i] * pool.get(r)[i];
                a += (double) object[i] * object[i];
                b += (double) pool.get(r)[i] * pool.get(r)[i];
            }
            cosine[r] = dot / Math.sqrt(a * b);
        }
        return IntStream.range(0, pool.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer r) -> -cosine[r]).thenComparingInt(r -> r))
                .limit(K).toList();
    }

    private static float[] mean(List<float[]> pool, List<Integer> chosen) {
        double[] sum = new double[pool.get(0).length];
        chosen.forEach(r -> {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += pool.get(r)[i];
            }
        });
        float[] out = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            out[i] = (float) (sum[i] / chosen.size());
        }
        return out;
    }

    /** Voxels per label when each voxel takes its most probable class above the threshold. */
    private static Map<Integer, Long> fuse(float[] probabilities, List<Integer> labels) {
        int voxels = probabilities.length / labels.size();
        Map<Integer, Long> counts = new LinkedHashMap<>();
        labels.forEach(label -> counts.put(label, 0L));
        for (int i = 0; i < voxels; i++) {
            int best = -1;
            for (int c = 0; c < labels.size(); c++) {
                float p = probabilities[c * voxels + i];
                if (p > THRESHOLD && (best < 0 || p > probabilities[best * voxels + i])) {
                    best = c;
                }
            }
            if (best >= 0) {
                counts.merge(labels.get(best), 1L, Long::sum);
            }
        }
        return counts;
    }
}
