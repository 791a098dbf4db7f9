package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.irisseg.admission.MemoryBudget;
import org.irisseg.admission.MemoryCost;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.ProblemAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/**
 * Admission before work, over HTTP: sizes, grids and classes are checked from headers and a streamed
 * mask scan, and memory is reserved, before any volume is decoded. Files whose voxel data is cut short
 * show it: decoding them would answer corrupt-nifti.
 */
class AdmissionTest extends IrisIntegrationTest {

    @Autowired
    MemoryBudget budget;

    private HttpResponse<byte[]> register(byte[] image, byte[] mask) {
        return client().post("/api/v1/tasks", Multipart.form().field("name", "admission")
                .file("references", "image.nii", image).file("masks", "mask.nii", mask), null);
    }

    private HttpResponse<byte[]> segment(String task, byte[] image) {
        return client().post("/api/v1/segmentations", Multipart.form().file("image", "query.nii", image)
                .field("taskId", task), "application/json");
    }

    private String ballTask() throws InterruptedException {
        assumeModelReady();
        return client().registerTask(Multipart.form().field("name", "ball")
                .file("references", "image.nii", NiftiBytes.volume(8, 8, 8).blob().nii())
                .file("masks", "mask.nii", NiftiBytes.volume(8, 8, 8).twoLabelBall(2).nii()));
    }

    @Test
    void aMaskOnAnotherGridIsRefusedBeforeEitherVolumeIsDecoded() {
        byte[] cutShort = NiftiBytes.volume(8, 8, 8).blob().declaredDims(64, 64, 64).nii();
        byte[] mask = NiftiBytes.volume(8, 8, 8).twoLabelBall(2).nii();
        ProblemAssertions.assertProblem(register(cutShort, mask), 400, "grid-mismatch");
    }

    @Test
    void aTwoDimensionalReferenceIsRefusedAsTooSmallForThe3dModel() {
        float[] labels = new float[40 * 40];
        labels[820] = 1;
        JsonNode problem = ProblemAssertions.assertProblem(register(NiftiBytes.volume(40, 40, 1).blob().nii(),
                NiftiBytes.volume(40, 40, 1).values(labels).nii()), 400, "volume-too-small");
        assertTrue(problem.path("detail").asString().startsWith("Reference 1 image is 40x40x1 voxels"),
                problem.path("detail").asString());
    }

    @Test
    void aTwoDimensionalQueryIsRefusedAsTooSmallForThe3dModel() throws Exception {
        String task = ballTask();
        JsonNode problem = ProblemAssertions.assertProblem(segment(task, NiftiBytes.volume(40, 40, 1).blob().nii()),
                400, "volume-too-small");
        assertTrue(problem.path("detail").asString().contains("at least 4 voxels"), problem.path("detail").asString());
    }

    @Test
    void aMaskWithMoreClassesThanTheCapIsRefusedNamingTheCap() {
        float[] labels = new float[8 * 8 * 8];
        for (int i = 0; i < 70; i++) {
            labels[i * 7] = i + 1;
        }
        JsonNode problem = ProblemAssertions.assertProblem(register(NiftiBytes.volume(8, 8, 8).blob().nii(),
                NiftiBytes.volume(8, 8, 8).values(labels).nii()), 400, "too-many-classes");
        assertTrue(problem.path("detail").asString().contains("has 70 distinct labels; a task may have at most 64"
                + " classes (iris.admission.max-classes)"), problem.path("detail").asString());
    }

    @Test
    void aQueryDeclaringMoreThanTheMemoryBudgetIsTooLargeBeforeItsVoxelsAreRead() throws Exception {
        String task = ballTask();
        byte[] cutShort = NiftiBytes.volume(8, 8, 8).blob().declaredDims(256, 256, 256).nii();
        JsonNode problem = ProblemAssertions.assertProblem(segment(task, cutShort), 413, "too-large");
        assertTrue(problem.path("detail").asString().contains("memory budget of 256.0 MiB (iris.admission.max-bytes)"),
                problem.path("detail").asString());
    }

    @Test
    void aReferenceOfFortyOneClassesIsRegisteredWhereFortyOneWholeMasksWouldExceedTheMemoryBudget() throws Exception {
        assumeModelReady();
        int side = 100;
        int classes = 41;
        MemoryCost wholeMasks = new MemoryCost((long) side * side * side, classes, 4, 2);
        assertTrue(wholeMasks.bytes() > budget.limitBytes(), "K whole masks and their copies would not fit");
        float[] labels = new float[side * side * side];
        for (int x = 0; x < side; x++) {
            for (int y = 0; y < side; y++) {
                for (int z = 0; z < side; z++) {
                    int cube = (x / 25 * 4 + y / 25) * 4 + z / 25;
                    if (cube < classes && x % 25 > 2 && y % 25 > 2 && z % 25 > 2) {
                        labels[x + side * (y + side * z)] = cube + 1;
                    }
                }
            }
        }
        HttpResponse<byte[]> response = register(NiftiBytes.volume(side, side, side).blob().nii(),
                NiftiBytes.volume(side, side, side).values(labels).nii());
        assertEquals(201, response.statusCode(), new String(response.body()));
        assertEquals(classes, IrisClient.json(response).path("classes").size());
    }

    @Test
    void aQueryWaitsWhileTheMemoryBudgetIsInUseAndIsServedWhenItComesBack() throws Exception {
        String task = ballTask();
        CompletableFuture<HttpResponse<byte[]>> waiting;
        try (MemoryBudget.Reservation all = budget.reserve(new MemoryCost(budget.limitBytes() / 4, 1, 1, 0), "test")) {
            waiting = CompletableFuture.supplyAsync(() -> segment(task, NiftiBytes.volume(8, 8, 8).blob().nii()));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (budget.waiting() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, budget.waiting(), "the query waits for memory");
        }
        assertEquals(200, waiting.get().statusCode(), "served once the memory is back");
    }
}
