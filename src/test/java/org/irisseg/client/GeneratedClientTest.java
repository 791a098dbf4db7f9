package org.irisseg.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.List;

import org.irisseg.client.api.CatalogueApi;
import org.irisseg.client.api.SegmentationsApi;
import org.irisseg.client.api.TasksApi;
import org.irisseg.client.model.Catalogue;
import org.irisseg.client.model.ClassStatistics;
import org.irisseg.client.model.Segmentation;
import org.irisseg.client.model.Task;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Java client that openapi-generator makes from {@code openapi/openapi.yaml} (generated into target/
 * while the tests are compiled) drives every endpoint over real HTTP, as an integrator's would.
 */
class GeneratedClientTest extends IrisIntegrationTest {

    private static final NiftiReader READER = new NiftiReader(NiftiLimits.defaults());
    private static final String LABELS = Hippocampus.LABELS;
    private static String taskId;

    private final File query = Hippocampus.image(Hippocampus.QUERIES.get(0)).toFile();

    /** The generated client as an integrator configures it: host, port and an API key on every request. */
    private ApiClient api() {
        return new ApiClient().setHost("localhost").setPort(port)
                .setRequestInterceptor(request -> request.header("X-API-Key", IrisClient.API_KEY));
    }

    private static List<File> images(List<String> subjects) {
        return subjects.stream().map(s -> Hippocampus.image(s).toFile()).toList();
    }

    private static List<File> masks(List<String> subjects) {
        return subjects.stream().map(s -> Hippocampus.label(s).toFile()).toList();
    }

    @BeforeEach
    void registerOnce() throws Exception {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        if (taskId == null) {
            List<String> refs = Hippocampus.REFERENCES.subList(0, 2);
            taskId = new TasksApi(api()).create(masks(refs), "client", images(refs), LABELS).getId();
        }
    }

    @Test
    void aTaskRegisteredThroughTheClientIsListedAndReadBackTyped() throws Exception {
        Task task = new TasksApi(api()).get(taskId);
        assertEquals("client", task.getName());
        assertEquals(List.of("anterior", "posterior"), task.getClasses().stream().map(c -> c.getName()).toList());
        assertTrue(new TasksApi(api()).callList(0, 500).stream().anyMatch(t -> t.getId().equals(taskId)));
    }

    @Test
    void referencesAddedThroughTheClientGrowThePool() throws Exception {
        List<String> subject = List.of(Hippocampus.REFERENCES.get(2));
        String id = new TasksApi(api()).create(masks(subject), "grown", images(subject), LABELS).getId();
        Task grown = new TasksApi(api()).addReferences(id, masks(subject), images(subject));
        assertEquals(2, grown.getReferences());
    }

    @Test
    void theDefaultAnswerOfSegmentIsTheLabelMapOnTheQuerysGrid() throws Exception {
        File labelMap = new SegmentationsApi(api()).segment(query, taskId, null, null, null, null, null, null, null);
        NiftiImage labels = READER.readLabelMap(Files.newInputStream(labelMap.toPath()));
        assertArrayEquals(READER.readImage(query.toPath()).dims(), labels.dims());
        assertTrue(labelMap.getName().endsWith("_seg.nii.gz"), labelMap.getName());
    }

    @Test
    void outputStatisticsOfSegmentAnswersWithTheStatistics() throws Exception {
        File answer = new SegmentationsApi(api()).segment(query, taskId, "statistics", null, null, null, "one-shot",
                null, null);
        JsonNode statistics = JsonMapper.builder().build().readTree(Files.readAllBytes(answer.toPath()));
        assertEquals("one-shot", statistics.path("mode").asString());
        assertEquals(2, statistics.path("classes").size());
    }

    @Test
    void thePreviewReachesTheClientAsAPngFile() throws Exception {
        File png = new SegmentationsApi(api()).segment(query, taskId, "preview", null, null, null, null, null, null);
        assertTrue(javax.imageio.ImageIO.read(png).getWidth() > 0);
        assertTrue(png.getName().endsWith("_preview.png"), png.getName());
    }

    @Test
    void theStatisticsOperationIsTypedByTheClient() throws Exception {
        Segmentation statistics = new SegmentationsApi(api()).segmentStatistics(query, taskId, "posterior", null,
                null, "ensemble", null, null);
        assertEquals(taskId, statistics.getTaskId());
        assertEquals(Segmentation.ModeEnum.ENSEMBLE, statistics.getMode());
        ClassStatistics posterior = statistics.getClasses().get(0);
        assertEquals(2, posterior.getLabel());
        assertTrue(posterior.getVoxels() > 0, "posterior found nothing");
        assertTrue(posterior.getQuality().getFlags().isEmpty(), posterior.toString());
    }

    @Test
    void theCatalogueOfBuiltInClassesIsReadTypedThroughTheClient() throws Exception {
        Catalogue catalogue = new CatalogueApi(api()).listCatalogue();
        assertEquals(model.modelVersion(), catalogue.getModelVersion());
        assertTrue(catalogue.getClasses().stream().allMatch(c -> c.getId() != null), catalogue.toString());
    }

    @Test
    void aProblemReachesTheClientAsItsStatusAndProblemBody() {
        ApiException e = assertThrows(ApiException.class, () -> new SegmentationsApi(api()).segment(query, taskId,
                "masks", null, null, null, null, null, null));
        assertEquals(400, e.getCode());
        assertTrue(e.getResponseBody().contains("https://irisseg.org/problems/invalid-parameter"),
                e.getResponseBody());
    }

    @Test
    void aTaskDeletedThroughTheClientIsGone() throws Exception {
        List<String> subject = List.of(Hippocampus.REFERENCES.get(0));
        String id = new TasksApi(api()).create(masks(subject), "doomed", images(subject), LABELS).getId();
        new TasksApi(api()).delete(id);
        ApiException e = assertThrows(ApiException.class, () -> new TasksApi(api()).get(id));
        assertEquals(404, e.getCode());
    }
}
