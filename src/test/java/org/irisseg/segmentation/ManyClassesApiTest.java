package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.ProblemAssertions;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Tasks of many classes over real HTTP: 41 and 64 classes segment (the label map is fused class after class,
 * so memory does not grow with the classes), and an output that does need K whole maps is refused before
 * decoding when they cannot fit the memory budget, while the same request with fewer classes is served.
 */
class ManyClassesApiTest extends IrisIntegrationTest {

    /** Reference grid: 4 x 4 x 4 cubes of 12^3 voxels, one label each (the first {@code classes} of them). */
    private static final int SIDE = 48;

    private static final java.util.Map<Integer, String> TASKS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A task of the first {@code classes} cubes, registered once per count. */
    private String register(int classes) throws InterruptedException {
        assumeModelReady();
        String known = TASKS.get(classes);
        if (known != null) {
            return known;
        }
        float[] labels = new float[SIDE * SIDE * SIDE];
        for (int x = 0; x < SIDE; x++) {
            for (int y = 0; y < SIDE; y++) {
                for (int z = 0; z < SIDE; z++) {
                    int cube = (x / 12 * 4 + y / 12) * 4 + z / 12;
                    boolean inner = x % 12 > 1 && x % 12 < 10 && y % 12 > 1 && y % 12 < 10 && z % 12 > 1 && z % 12 < 10;
                    if (cube < classes && inner) {
                        labels[x + SIDE * (y + SIDE * z)] = cube + 1;
                    }
                }
            }
        }
        String task = client().registerTask(Multipart.form().field("name", classes + " cubes")
                .file("references", "image.nii.gz", NiftiBytes.volume(SIDE, SIDE, SIDE).blob().niiGz())
                .file("masks", "mask.nii.gz", NiftiBytes.volume(SIDE, SIDE, SIDE).values(labels).niiGz()));
        TASKS.put(classes, task);
        return task;
    }

    private HttpResponse<byte[]> segment(String task, byte[] image, String output, String classes) {
        Multipart form = Multipart.form().file("image", "query.nii.gz", image).field("taskId", task)
                .field("mode", "one-shot");
        if (classes != null) {
            form = form.field("classes", classes);
        }
        return client().post("/api/v1/segmentations?output=" + output, form, null);
    }

    @Test
    void aTaskOfFortyOneClassesSegmentsOverHttp() throws Exception {
        String task = register(41);
        HttpResponse<byte[]> response = segment(task, NiftiBytes.volume(40, 52, 36).blob().niiGz(), "statistics", null);
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertEquals(41, IrisClient.json(response).path("classes").size());
        assertEquals(200, segment(task, NiftiBytes.volume(40, 52, 36).blob().niiGz(), "label-map", null).statusCode());
    }

    @Test
    void aTaskOfSixtyFourClassesSegmentsOverHttp() throws Exception {
        String task = register(64);
        HttpResponse<byte[]> response = segment(task, NiftiBytes.volume(70, 30, 66).blob().niiGz(), "statistics", null);
        assertEquals(200, response.statusCode(), new String(response.body()));
        JsonNode classes = IrisClient.json(response).path("classes");
        assertEquals(64, classes.size());
        assertEquals(64, classes.get(63).path("label").asInt());
    }

    @Test
    void probabilitiesOfSixtyFourClassesBeyondTheBudgetAreTooLargeNamingTheLimitAndFewerClassesAreServed()
            throws Exception {
        String task = register(64);
        byte[] query = NiftiBytes.volume(128, 128, 96).blob().niiGz();
        JsonNode problem = ProblemAssertions.assertProblem(segment(task, query, "probabilities", null), 413, "too-large");
        String detail = problem.path("detail").asString();
        assertTrue(detail.contains("64 classes") && detail.contains("(iris.admission.max-bytes)"), detail);
        HttpResponse<byte[]> fewer = segment(task, query, "probabilities", "1,2");
        assertEquals(200, fewer.statusCode(), new String(fewer.body()));
    }

    @Test
    void theLabelMapOfAllSixtyFourClassesFitsWhereTheirProbabilitiesDoNot() throws Exception {
        String task = register(64);
        HttpResponse<byte[]> response = segment(task, NiftiBytes.volume(128, 128, 96).blob().niiGz(), "label-map", null);
        assertEquals(200, response.statusCode(), new String(response.body()));
    }
}
