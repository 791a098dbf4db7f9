package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.List;

import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.ProblemAssertions;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Embeddings of two models are never mixed: an older task is re-encoded from its kept files, or refused. */
class ModelVersionTest extends IrisIntegrationTest {

    private static final String OLD = "iris-small@0.0.0-old";

    @Autowired
    MemoryBank bank;

    private Task asIfEncodedBy(Task task, String version, boolean keepFiles) {
        List<TaskReference> refs = task.references().stream()
                .map(r -> new TaskReference(r.index(), r.filename(), keepFiles ? r.imageSha256() : "",
                        keepFiles ? r.maskSha256() : "", r.shape(), version, r.embeddings()))
                .toList();
        return Task.create(task.id(), task.name(), task.classes(), refs, version, task.createdAt(), 0.99);
    }

    private HttpResponse<byte[]> segment(String task) {
        return client().post("/api/v1/segmentations", Multipart.form()
                .file("image", Hippocampus.image(Hippocampus.QUERIES.get(2))).field("taskId", task)
                .field("mode", "one-shot"), "application/json");
    }

    @Test
    void aTaskOfAnotherModelWithKeptReferencesIsReEncodedOnFirstUse() throws Exception {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        String id = client().registerTask(Hippocampus.taskForm("old", Hippocampus.REFERENCES.subList(0, 2)));
        Task current = bank.find(id).orElseThrow();
        HttpResponse<byte[]> before = segment(id);
        bank.save(asIfEncodedBy(current, OLD, true));

        HttpResponse<byte[]> after = segment(id);
        assertEquals(200, after.statusCode(), new String(after.body()));
        Task reencoded = bank.find(id).orElseThrow();
        assertEquals(model.modelVersion(), reencoded.modelVersion());
        FileTaskStoreTest.assertSameTask(current, reencoded);
        assertEquals(new String(before.body()).replaceAll("\"timings\":\\{[^}]*}", ""),
                new String(after.body()).replaceAll("\"timings\":\\{[^}]*}", ""));
    }

    @Test
    void aTaskOfAnotherModelWithoutItsReferencesIsRefused() throws Exception {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        String id = client().registerTask(Hippocampus.taskForm("old", Hippocampus.REFERENCES.subList(0, 1)));
        bank.save(asIfEncodedBy(bank.find(id).orElseThrow(), OLD, false));
        ProblemAssertions.assertProblem(segment(id), 409, "model-version-mismatch");
    }
}
