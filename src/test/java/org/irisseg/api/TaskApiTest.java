package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;

import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.ProblemAssertions;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** The tasks resource over real HTTP with the real model. */
class TaskApiTest extends IrisIntegrationTest {

    @Test
    void registersGetsListsAndDeletesATask() throws Exception {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        HttpResponse<byte[]> created = client().post("/api/v1/tasks",
                Hippocampus.taskForm("hippocampus", Hippocampus.REFERENCES.subList(0, 2)), null);
        assertEquals(201, created.statusCode(), new String(created.body()));
        JsonNode task = IrisClient.json(created);
        String id = task.path("id").asString();
        assertEquals("/api/v1/tasks/" + id, created.headers().firstValue("Location").orElseThrow());
        assertEquals("hippocampus", task.path("name").asString());
        assertEquals(2, task.path("references").asInt());
        assertEquals(model.modelVersion(), task.path("modelVersion").asString());
        assertTrue(task.path("createdAt").asString().endsWith("Z"));
        assertEquals(List.of("1:anterior", "2:posterior"), classes(task));

        JsonNode got = IrisClient.json(client().get("/api/v1/tasks/" + id));
        assertEquals(task, got);
        boolean listed = false;
        for (JsonNode t : IrisClient.json(client().get("/api/v1/tasks"))) {
            listed |= t.path("id").asString().equals(id);
        }
        assertTrue(listed);

        assertEquals(204, client().delete("/api/v1/tasks/" + id).statusCode());
        ProblemAssertions.assertProblem(client().get("/api/v1/tasks/" + id), 404, "task-not-found");
        ProblemAssertions.assertProblem(client().delete("/api/v1/tasks/" + id), 404, "task-not-found");
    }

    @Test
    void addingReferencesGrowsThePool() throws Exception {
        String id = registerHippocampus("grow", Hippocampus.REFERENCES.subList(0, 1));
        String subject = Hippocampus.REFERENCES.get(1);
        HttpResponse<byte[]> grown = client().post("/api/v1/tasks/" + id + "/references", Multipart.form()
                .file("references", Hippocampus.image(subject)).file("masks", Hippocampus.label(subject)), null);
        assertEquals(200, grown.statusCode(), new String(grown.body()));
        assertEquals(2, IrisClient.json(grown).path("references").asInt());
        assertEquals(2, IrisClient.json(client().get("/api/v1/tasks/" + id)).path("references").asInt());
    }

    @Test
    void classesWithoutNamesAreNamedByLabel() throws Exception {
        assumeModelReady();
        HttpResponse<byte[]> created = client().post("/api/v1/tasks", Multipart.form().field("name", "ball")
                .file("references", "ball.nii.gz", NiftiBytes.volume(20, 22, 18).blob().niiGz())
                .file("masks", "ball-mask.nii", NiftiBytes.volume(20, 22, 18).twoLabelBall(4).nii()), null);
        assertEquals(201, created.statusCode(), new String(created.body()));
        assertEquals(List.of("1:label-1", "2:label-2"), classes(IrisClient.json(created)));
    }

    @Test
    void aReferenceWithoutItsMaskIsAnInvalidParameter() {
        HttpResponse<byte[]> response = client().post("/api/v1/tasks", Multipart.form().field("name", "x")
                .file("references", "a.nii", NiftiBytes.volume(4, 4, 4).blob().nii())
                .file("references", "b.nii", NiftiBytes.volume(4, 4, 4).blob().nii())
                .file("masks", "a-mask.nii", NiftiBytes.volume(4, 4, 4).twoLabelBall(1).nii()), null);
        ProblemAssertions.assertProblem(response, 400, "invalid-parameter");
    }

    @Test
    void aMissingNameOrPartIsAnInvalidParameter() {
        ProblemAssertions.assertProblem(client().post("/api/v1/tasks", Multipart.form()
                .file("references", "a.nii", NiftiBytes.volume(4, 4, 4).blob().nii())
                .file("masks", "a-mask.nii", NiftiBytes.volume(4, 4, 4).twoLabelBall(1).nii()), null),
                400, "invalid-parameter");
        ProblemAssertions.assertProblem(client().post("/api/v1/tasks", Multipart.form().field("name", "x"), null),
                400, "invalid-parameter");
    }

    @Test
    void aMaskOnAnotherGridIsAGridMismatch() {
        byte[] image = NiftiBytes.volume(10, 10, 10).blob().nii();
        HttpResponse<byte[]> otherSize = client().post("/api/v1/tasks", Multipart.form().field("name", "x")
                .file("references", "a.nii", image)
                .file("masks", "m.nii", NiftiBytes.volume(10, 10, 11).twoLabelBall(3).nii()), null);
        ProblemAssertions.assertProblem(otherSize, 400, "grid-mismatch");
        HttpResponse<byte[]> otherOrigin = client().post("/api/v1/tasks", Multipart.form().field("name", "x")
                .file("references", "a.nii", image)
                .file("masks", "m.nii", NiftiBytes.volume(10, 10, 10).twoLabelBall(3)
                        .sform(new double[] {1, 0, 0, 5}, new double[] {0, 1, 0, 0}, new double[] {0, 0, 1, 0}).nii()),
                null);
        ProblemAssertions.assertProblem(otherOrigin, 400, "grid-mismatch");
    }

    @Test
    void anEmptyMaskOrAClassMissingFromAReferenceIsAnEmptyClassMask() throws Exception {
        HttpResponse<byte[]> empty = client().post("/api/v1/tasks", Multipart.form().field("name", "x")
                .file("references", "a.nii", NiftiBytes.volume(10, 10, 10).blob().nii())
                .file("masks", "m.nii", NiftiBytes.volume(10, 10, 10).nii()), null);
        ProblemAssertions.assertProblem(empty, 400, "empty-class-mask");

        assumeModelReady();
        byte[] image = NiftiBytes.volume(16, 16, 16).blob().nii();
        float[] onlyOne = new float[16 * 16 * 16];
        onlyOne[8 * 16 * 16 + 8 * 16 + 8] = 1;
        HttpResponse<byte[]> partial = client().post("/api/v1/tasks", Multipart.form().field("name", "x")
                .file("references", "a.nii", image)
                .file("masks", "m.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii())
                .file("references", "b.nii", image)
                .file("masks", "n.nii", NiftiBytes.volume(16, 16, 16).values(onlyOne).nii()), null);
        ProblemAssertions.assertProblem(partial, 400, "empty-class-mask");

        HttpResponse<byte[]> namedButAbsent = client().post("/api/v1/tasks", Multipart.form().field("name", "x")
                .field("labels", "{\"1\":\"core\",\"3\":\"absent\"}")
                .file("references", "a.nii", image)
                .file("masks", "m.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii()), null);
        ProblemAssertions.assertProblem(namedButAbsent, 400, "empty-class-mask");
    }

    @Test
    void aNewReferenceWithAnotherClassIsAnUnknownClass() throws Exception {
        assumeModelReady();
        byte[] image = NiftiBytes.volume(16, 16, 16).blob().nii();
        String id = client().registerTask(Multipart.form().field("name", "one class")
                .file("references", "a.nii", image)
                .file("masks", "m.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii()));
        float[] three = new float[16 * 16 * 16];
        three[0] = 1;
        three[1] = 2;
        three[2] = 3;
        HttpResponse<byte[]> response = client().post("/api/v1/tasks/" + id + "/references", Multipart.form()
                .file("references", "b.nii", image)
                .file("masks", "n.nii", NiftiBytes.volume(16, 16, 16).values(three).nii()), null);
        ProblemAssertions.assertProblem(response, 400, "unknown-class");
    }

    @Test
    void unknownTasksAreNotFound() {
        ProblemAssertions.assertProblem(client().get("/api/v1/tasks/00000000-0000-0000-0000-000000000000"), 404,
                "task-not-found");
        ProblemAssertions.assertProblem(client().get("/api/v1/tasks/not-a-uuid"), 404, "task-not-found");
        ProblemAssertions.assertProblem(client().post("/api/v1/tasks/00000000-0000-0000-0000-000000000000/references",
                Multipart.form().file("references", "a.nii", NiftiBytes.volume(4, 4, 4).blob().nii())
                        .file("masks", "m.nii", NiftiBytes.volume(4, 4, 4).twoLabelBall(1).nii()), null),
                404, "task-not-found");
    }

    private static List<String> classes(JsonNode task) {
        return task.path("classes").valueStream()
                .map(c -> c.path("label").asInt() + ":" + c.path("name").asString()).toList();
    }
}
