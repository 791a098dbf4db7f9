package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import org.irisseg.model.Box;
import org.irisseg.model.FocusPolicy;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.NiftiWriter;
import org.irisseg.segmentation.BuiltInTask;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.ProblemAssertions;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/**
 * Locate, then focus over real HTTP: references are encoded inside their focus boxes at registration, a
 * focused segmentation reports the box it segmented, and a task registered before focus existed gets its
 * focus embeddings from its kept files (or a clear 409). The real case is the thalamus of the voxelmorph
 * brain (160x192x224 at 1 mm), whose focus box is a fraction of the volume.
 */
class FocusedSegmentationTest extends IrisIntegrationTest {

    private static final NiftiReader READER = new NiftiReader(NiftiLimits.defaults());
    private static final int[] THALAMUS = {10, 49};

    @Autowired
    TaskCache cache;

    private static Path voxelmorph(String file) {
        return TestPaths.sharedData().resolve("voxelmorph").resolve(file);
    }

    /** The voxelmorph aseg with the left and right thalamus only (labels 10 and 49), as a .nii.gz. */
    private static byte[] thalamusMask() throws Exception {
        NiftiImage aseg = READER.readLabelMap(voxelmorph("test_scan_aseg.nii.gz"));
        int[] labels = new int[aseg.data().length];
        for (int i = 0; i < labels.length; i++) {
            int v = (int) aseg.data()[i];
            labels[i] = v == THALAMUS[0] || v == THALAMUS[1] ? v : 0;
        }
        return new NiftiWriter().labelMapGz(aseg.header(), labels);
    }

    private String registerThalamus() throws Exception {
        TestPaths.assumeData(voxelmorph("test_scan_t1.nii.gz").toFile().isFile(), "the voxelmorph brain");
        assumeModelReady();
        return client().registerTask(Multipart.form().field("name", "thalamus")
                .field("labels", "{\"10\":\"left thalamus\",\"49\":\"right thalamus\"}")
                .file("references", voxelmorph("test_scan_t1.nii.gz"))
                .file("masks", "thalamus.nii.gz", thalamusMask()));
    }

    private HttpResponse<byte[]> segment(Multipart form) {
        return client().post("/api/v1/segmentations", form, "application/json");
    }

    private Multipart hippocampusQuery(String taskId, String mode, boolean focus) {
        return Multipart.form().file("image", Hippocampus.image(Hippocampus.QUERIES.get(1))).field("taskId", taskId)
                .field("mode", mode).field("focus", String.valueOf(focus));
    }

    @Test
    void aReferenceIsAlsoEncodedInsideTheFocusBoxAroundItsClasses() throws Exception {
        TaskReference reference = cache.find(registerThalamus()).orElseThrow().references().get(0);
        // the voxelmorph volume is canonical already (identity affine): the bounds are those of the file
        NiftiImage aseg = READER.readLabelMap(voxelmorph("test_scan_aseg.nii.gz"));
        int[] d = aseg.dims();
        int[] low = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] high = {-1, -1, -1};
        for (int z = 0; z < d[2]; z++) {
            for (int y = 0; y < d[1]; y++) {
                for (int x = 0; x < d[0]; x++) {
                    int v = (int) aseg.data()[(z * d[1] + y) * d[0] + x];
                    if (v == THALAMUS[0] || v == THALAMUS[1]) {
                        int[] at = {x, y, z};
                        for (int a = 0; a < 3; a++) {
                            low[a] = Math.min(low[a], at[a]);
                            high[a] = Math.max(high[a], at[a]);
                        }
                    }
                }
            }
        }
        Box bounds = new Box(low[0], high[0] + 1, low[1], high[1] + 1, low[2], high[2] + 1);
        double[] spacing = {1, 1, 1};
        assertTrue(reference.hasFocus());
        assertEquals(FocusPolicy.sideMm(bounds, spacing), reference.focus().sideMm(), 1e-9);
        assertFalse(FocusPolicy.referenceBox(bounds, spacing, d).equals(Box.whole(d)), "the box is a crop");
        assertEquals(reference.labels(), reference.focus().labels());
        for (int label : THALAMUS) {
            assertFalse(java.util.Arrays.equals(reference.embedding(label), reference.focus().embedding(label)),
                    "class " + label + " encoded inside its box, not the whole volume");
        }
    }

    @Test
    void aFocusedSegmentationReportsTheBoxItSegmented() throws Exception {
        String id = registerThalamus();
        double side = cache.find(id).orElseThrow().references().get(0).focus().sideMm();
        HttpResponse<byte[]> response = segment(Multipart.form().file("image", voxelmorph("test_scan_t1.nii.gz"))
                .field("taskId", id).field("mode", "one-shot").field("focus", "true"));
        assertEquals(200, response.statusCode(), new String(response.body()));
        JsonNode focus = IrisClient.json(response).path("focus");
        assertEquals(side, focus.path("sideMm").asDouble(), 1e-9);
        if (focus.path("applied").asBoolean()) {
            double[] limits = {160, 192, 224};
            for (int a = 0; a < 3; a++) {
                double mm = focus.path("boxMm").get(a).asDouble();
                assertTrue(mm >= Math.min(side, limits[a]) - 1 && mm <= limits[a], "axis " + a + ": " + mm);
            }
        } else {
            assertTrue(focus.path("boxMm").isMissingNode(), focus.toString());
        }
    }

    @Test
    void whereTheFocusBoxIsTheWholeVolumeTheFocusEmbeddingsAreTheWholeVolumesOnes() throws Exception {
        String id = registerHippocampus("hippocampus", List.of(Hippocampus.REFERENCES.get(0)));
        TaskReference reference = cache.find(id).orElseThrow().references().get(0);
        // a hippocampus crop (about 35x50x35 mm) is smaller than twice its object
        for (int label : reference.labels()) {
            assertSame(reference.embedding(label), reference.focus().embedding(label));
        }
    }

    @Test
    void aSegmentationWithoutFocusReportsNone() throws Exception {
        String id = registerHippocampus("hippocampus", List.of(Hippocampus.REFERENCES.get(0)));
        HttpResponse<byte[]> response = segment(hippocampusQuery(id, "one-shot", false));
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertTrue(IrisClient.json(response).path("focus").isMissingNode());
    }

    @Test
    void everyModeSegmentsWithFocus() throws Exception {
        String id = registerHippocampus("hippocampus", Hippocampus.REFERENCES.subList(0, 2));
        for (String mode : new String[] {"one-shot", "ensemble", "retrieval"}) {
            HttpResponse<byte[]> response = segment(hippocampusQuery(id, mode, true));
            assertEquals(200, response.statusCode(), mode + ": " + new String(response.body()));
            assertTrue(IrisClient.json(response).path("focus").path("sideMm").asDouble() >= FocusPolicy.MIN_SIDE_MM,
                    mode);
        }
    }

    @Test
    void focusWithTheBuiltInClassesIsRefused() throws Exception {
        assumeModelReady();
        ProblemAssertions.assertProblem(segment(hippocampusQuery(BuiltInTask.ID, "one-shot", true)), 400, "invalid-parameter");
    }

    @Test
    void focusWithTheUncertaintyOutputIsRefused() throws Exception {
        String id = registerHippocampus("hippocampus", Hippocampus.REFERENCES.subList(0, 2));
        ProblemAssertions.assertProblem(client().post("/api/v1/segmentations?output=uncertainty",
                hippocampusQuery(id, "ensemble", true), null), 400, "invalid-parameter");
    }

    /** The task as a service without focus boxes left it: no focus, its files kept or not. */
    private static Task withoutFocus(Task task, boolean keepFiles) {
        List<TaskReference> refs = task.references().stream()
                .map(r -> new TaskReference(r.index(), keepFiles ? r.imageSha256() : "",
                        keepFiles ? r.maskSha256() : "", r.shape(), r.modelVersion(), r.embeddings(), r.volumesMl()))
                .toList();
        return new Task(task.id(), task.tenant(), task.name(), task.classes(), refs, task.modelVersion(),
                task.createdAt());
    }

    @Test
    void aTaskRegisteredBeforeFocusGetsItsFocusFromItsKeptFilesOnFirstFocusedUse() throws Exception {
        String id = registerHippocampus("old", Hippocampus.REFERENCES.subList(0, 2));
        Task current = cache.find(id).orElseThrow();
        cache.save(withoutFocus(current, true));

        HttpResponse<byte[]> response = segment(hippocampusQuery(id, "one-shot", true));

        assertEquals(200, response.statusCode(), new String(response.body()));
        Task reencoded = cache.find(id).orElseThrow();
        assertTrue(reencoded.hasFocus());
        for (int r = 0; r < current.references().size(); r++) {
            assertEquals(current.references().get(r).focus().sideMm(), reencoded.references().get(r).focus().sideMm());
            for (int label : current.labels()) {
                assertArrayEquals(current.references().get(r).focus().embedding(label),
                        reencoded.references().get(r).focus().embedding(label), 1e-5f);
            }
        }
    }

    @Test
    void aTaskRegisteredBeforeFocusWithoutItsFilesIsRefusedFocusAndStillSegmentsWithout() throws Exception {
        String id = registerHippocampus("old", Hippocampus.REFERENCES.subList(0, 1));
        cache.save(withoutFocus(cache.find(id).orElseThrow(), false));
        ProblemAssertions.assertProblem(segment(hippocampusQuery(id, "one-shot", true)), 409, "focus-unavailable");
        HttpResponse<byte[]> plain = segment(hippocampusQuery(id, "one-shot", false));
        assertEquals(200, plain.statusCode(), new String(plain.body()));
    }
}
