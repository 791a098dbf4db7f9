package org.irisseg.security;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.UUID;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * A task of tenant {@value IrisClient#TENANT} against a caller of tenant {@value IrisClient#OTHER_TENANT}: it
 * cannot see, use, grow or delete it, and every answer is the 404 a missing task gets, so it cannot even
 * tell that the task exists. The built-in classes serve every tenant.
 */
class TenantIsolationTest extends IrisIntegrationTest {

    private static String taskId;

    private IrisClient other() {
        return IrisClient.withKey(port, IrisClient.OTHER_API_KEY);
    }

    private static Multipart ball(String name) {
        return Multipart.form().field("name", name)
                .file("references", "ball.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                .file("masks", "mask.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii());
    }

    private static Multipart query(String taskId) {
        return Multipart.form().file("image", "query.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                .field("taskId", taskId).field("mode", "one-shot");
    }

    @BeforeEach
    void registerOnce() throws Exception {
        assumeModelReady();
        if (taskId == null) {
            taskId = client().registerTask(ball("owned by test"));
        }
    }

    /** The problem another tenant's task gets equals that of a task that does not exist, but for the id. */
    private static void assertLikeMissing(HttpResponse<byte[]> answer, HttpResponse<byte[]> missing, String missingId) {
        JsonNode got = assertProblem(answer, 404, "task-not-found");
        JsonNode expected = assertProblem(missing, 404, "task-not-found");
        assertEquals(expected.path("title"), got.path("title"));
        assertEquals(expected.path("detail").asString().replace(missingId, taskId), got.path("detail").asString());
    }

    @Test
    void aTaskOfAnotherTenantIsNotListed() {
        assertTrue(IrisClient.json(client().get("/api/v1/tasks?size=500")).valueStream()
                .anyMatch(t -> t.path("id").asString().equals(taskId)));
        HttpResponse<byte[]> theirs = other().get("/api/v1/tasks?size=500");
        assertFalse(IrisClient.json(theirs).valueStream().anyMatch(t -> t.path("id").asString().equals(taskId)));
    }

    @Test
    void aTaskOfAnotherTenantIsNotFoundExactlyLikeAMissingOne() {
        String missing = UUID.randomUUID().toString();
        assertLikeMissing(other().get("/api/v1/tasks/" + taskId), other().get("/api/v1/tasks/" + missing), missing);
    }

    @Test
    void aTaskOfAnotherTenantCannotBeUsedToSegment() {
        String missing = UUID.randomUUID().toString();
        assertLikeMissing(other().post("/api/v1/segmentations", query(taskId), "application/json"),
                other().post("/api/v1/segmentations", query(missing), "application/json"), missing);
        assertLikeMissing(other().post("/api/v1/segmentations/statistics", query(taskId), null),
                other().post("/api/v1/segmentations/statistics", query(missing), null), missing);
        assertEquals(200, client().post("/api/v1/segmentations", query(taskId), "application/json").statusCode());
    }

    @Test
    void aTaskOfAnotherTenantCannotBeGrown() {
        String missing = UUID.randomUUID().toString();
        Multipart more = Multipart.form()
                .file("references", "ball.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                .file("masks", "mask.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii());
        int before = IrisClient.json(client().get("/api/v1/tasks/" + taskId)).path("references").asInt();
        assertLikeMissing(other().post("/api/v1/tasks/" + taskId + "/references", more, null),
                other().post("/api/v1/tasks/" + missing + "/references", more, null), missing);
        assertEquals(before, IrisClient.json(client().get("/api/v1/tasks/" + taskId)).path("references").asInt());
    }

    @Test
    void aTaskOfAnotherTenantCannotBeDeleted() {
        String missing = UUID.randomUUID().toString();
        assertLikeMissing(other().delete("/api/v1/tasks/" + taskId), other().delete("/api/v1/tasks/" + missing),
                missing);
        assertEquals(200, client().get("/api/v1/tasks/" + taskId).statusCode(), "the owner's task is still there");
    }

    @Test
    void theOwnerDeletesItsTaskAndThenItIsGoneForEveryone() throws Exception {
        String doomed = client().registerTask(ball("to delete"));
        assertEquals(204, client().delete("/api/v1/tasks/" + doomed).statusCode());
        assertProblem(client().get("/api/v1/tasks/" + doomed), 404, "task-not-found");
        assertProblem(other().get("/api/v1/tasks/" + doomed), 404, "task-not-found");
    }

    @Test
    void theBuiltInClassesServeEveryTenant() {
        JsonNode classes = IrisClient.json(other().get("/api/v1/catalogue")).path("classes");
        Assumptions.assumeTrue(classes.size() > 0, "the model has no memory bank");
        HttpResponse<byte[]> response = other().post("/api/v1/segmentations/statistics", Multipart.form()
                .file("image", "query.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                .field("taskId", "builtin").field("classes", classes.get(0).path("id").asString()), null);
        assertEquals(200, response.statusCode(), new String(response.body()));
    }
}
