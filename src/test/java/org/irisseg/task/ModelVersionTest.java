package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.ProblemAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Embeddings of two models are never mixed: an older task is re-encoded from its kept files, or refused. */
class ModelVersionTest extends IrisIntegrationTest {

    private static final String OLD = "iris-small@0.0.0-old";

    @Autowired
    TaskCache cache;

    /**
     * The task as another model would have left it: its version, and embeddings that model would have
     * computed (here: every value negated, so a re-encoding that only relabels is caught).
     */
    static Task asIfEncodedBy(Task task, String version, boolean keepFiles) {
        List<TaskReference> refs = task.references().stream()
                .map(r -> new TaskReference(r.index(), keepFiles ? r.imageSha256() : "",
                        keepFiles ? r.maskSha256() : "", r.shape(), version, negated(r.embeddings())))
                .toList();
        return new Task(task.id(), task.tenant(), task.name(), task.classes(), refs, version, task.createdAt());
    }

    private static Map<Integer, float[]> negated(Map<Integer, float[]> embeddings) {
        Map<Integer, float[]> out = new HashMap<>();
        embeddings.forEach((label, e) -> {
            float[] n = new float[e.length];
            for (int i = 0; i < e.length; i++) {
                n[i] = -e[i];
            }
            out.put(label, n);
        });
        return out;
    }

    private HttpResponse<byte[]> segment(String task) {
        return client().post("/api/v1/segmentations", Multipart.form()
                .file("image", Hippocampus.image(Hippocampus.QUERIES.get(2))).field("taskId", task)
                .field("mode", "one-shot"), "application/json");
    }

    @Test
    void aTaskOfAnotherModelWithKeptReferencesIsReEncodedOnFirstUse() throws Exception {
        String id = registerHippocampus("old", Hippocampus.REFERENCES.subList(0, 2));
        Task current = cache.find(id).orElseThrow();
        HttpResponse<byte[]> before = segment(id);
        cache.save(asIfEncodedBy(current, OLD, true));

        HttpResponse<byte[]> after = segment(id);

        assertEquals(200, after.statusCode(), new String(after.body()));
        Task reencoded = cache.find(id).orElseThrow();
        assertEquals(model.modelVersion(), reencoded.modelVersion());
        for (int r = 0; r < current.references().size(); r++) {
            for (TaskClass c : current.classes()) {
                float[] recomputed = reencoded.references().get(r).embedding(c.label());
                assertArrayEquals(current.references().get(r).embedding(c.label()), recomputed, 1e-5f,
                        "reference " + r + " class " + c.label() + ": recomputed by the loaded model, not the"
                                + " old model's embedding relabelled");
            }
        }
        assertEquals(new String(before.body()).replaceAll("\"timings\":\\{[^}]*}", ""),
                new String(after.body()).replaceAll("\"timings\":\\{[^}]*}", ""));
    }

    @Test
    void aTaskOfAnotherModelWithoutItsReferencesIsRefused() throws Exception {
        String id = registerHippocampus("old", Hippocampus.REFERENCES.subList(0, 1));
        cache.save(asIfEncodedBy(cache.find(id).orElseThrow(), OLD, false));
        ProblemAssertions.assertProblem(segment(id), 409, "model-version-mismatch");
    }
}
