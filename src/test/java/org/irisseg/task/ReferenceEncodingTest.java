package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.irisseg.model.BoundedPool;
import org.irisseg.model.ImageFeatures;
import org.irisseg.model.InferenceSession;
import org.irisseg.model.InferenceTimings;
import org.irisseg.nifti.CanonicalVolume;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.Reorientation;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.TestPaths;
import org.irisseg.volume.VoxelSize;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * References registered over real HTTP are encoded class by class from each class's box (object encoder);
 * their embeddings are those of the whole-size masks through {@code task_encoder.pt}, computed here from the
 * same files with the service's own model, and their volumes are their voxel counts: a hippocampus subject
 * (2 classes) and the TotalSegmentator example CT (41 classes).
 */
class ReferenceEncodingTest extends IrisIntegrationTest {

    /** The export contract's tolerance between modules that compute the same thing. */
    private static final double TOLERANCE = 1e-4;

    private static final NiftiReader READER = new NiftiReader(NiftiLimits.defaults());

    private static final Map<String, String> TASKS = new java.util.concurrent.ConcurrentHashMap<>();

    @Autowired
    TaskCache cache;

    @Test
    void aHippocampusReferenceHasTheEmbeddingsOfItsWholeMasksThroughTheTaskEncoder() throws Exception {
        TestPaths.assumeHippocampus();
        String subject = Hippocampus.REFERENCES.get(2);
        TaskReference reference = registered("hippocampus", Hippocampus.image(subject), Hippocampus.label(subject));
        assertSameEmbeddings(reference, Hippocampus.image(subject), Hippocampus.label(subject));
    }

    @Test
    void theExampleCtsFortyOneClassesHaveTheEmbeddingsOfTheirWholeMasksThroughTheTaskEncoder() throws Exception {
        Path ct = exampleCt();
        TaskReference reference = registered("example ct", ct, exampleSeg());
        assertEquals(41, reference.embeddings().size());
        assertSameEmbeddings(reference, ct, exampleSeg());
    }

    @Test
    void everyClassOfTheExampleCtHasTheVolumeOfItsVoxels() throws Exception {
        Path ct = exampleCt();
        TaskReference reference = registered("example ct", ct, exampleSeg());
        NiftiImage labels = READER.readLabelMap(exampleSeg());
        double voxelMl = VoxelSize.millilitres(labels.header());
        Map<Integer, Double> expected = new TreeMap<>();
        for (float v : labels.data()) {
            if (v != 0) {
                expected.merge((int) v, voxelMl, Double::sum);
            }
        }
        assertEquals(expected.keySet(), reference.volumesMl().keySet());
        for (Map.Entry<Integer, Double> e : expected.entrySet()) {
            assertEquals(e.getValue(), reference.volumesMl().get(e.getKey()), 1e-9 * e.getValue(),
                    "class " + e.getKey());
        }
    }

    private static Path exampleCt() {
        Path dir = TestPaths.assumeSharedData().resolve("totalsegmentator");
        TestPaths.assumeData(Files.isRegularFile(dir.resolve("example_ct_sm.nii.gz")), "totalsegmentator example");
        return dir.resolve("example_ct_sm.nii.gz");
    }

    private static Path exampleSeg() {
        return TestPaths.sharedData().resolve("totalsegmentator").resolve("example_seg.nii.gz");
    }

    /** The first reference of a task registered over HTTP from one pair, once per name. */
    private TaskReference registered(String name, Path image, Path mask) throws InterruptedException {
        assumeModelReady();
        String id = TASKS.computeIfAbsent(name, n -> client().registerTask(Multipart.form().field("name", n)
                .file("references", image).file("masks", mask)));
        return cache.find(id).orElseThrow().references().get(0);
    }

    private void assertSameEmbeddings(TaskReference reference, Path imageFile, Path maskFile) {
        CanonicalVolume image = canonical(READER.readImage(imageFile));
        CanonicalVolume labels = canonical(READER.readLabelMap(maskFile));
        List<Integer> classes = List.copyOf(reference.embeddings().keySet());
        float[][] whole = wholeMaskEmbeddings(image, labels, classes);
        for (int k = 0; k < classes.size(); k++) {
            float[] encoded = reference.embedding(classes.get(k));
            assertEquals(whole[k].length, encoded.length);
            double worst = 0;
            for (int e = 0; e < encoded.length; e++) {
                worst = Math.max(worst, Math.abs(whole[k][e] - encoded[e]));
            }
            assertTrue(worst <= TOLERANCE, "class " + classes.get(k) + " differs by " + worst);
        }
    }

    /** The path registration took before: K whole-size binary masks through the task encoder. */
    private float[][] wholeMaskEmbeddings(CanonicalVolume image, CanonicalVolume labels, List<Integer> classes) {
        int voxels = labels.data().length;
        float[] masks = new float[classes.size() * voxels];
        for (int k = 0; k < classes.size(); k++) {
            for (int i = 0; i < voxels; i++) {
                masks[k * voxels + i] = labels.data()[i] == classes.get(k) ? 1f : 0f;
            }
        }
        InferenceTimings timings = new InferenceTimings();
        try (BoundedPool.Lease<InferenceSession> lease = model.lease(timings);
                ImageFeatures features = lease.get().encodeImage(image.shape(), image.data(), timings)) {
            return lease.get().encodeTask(features, classes.size(), masks, timings);
        }
    }

    private static CanonicalVolume canonical(NiftiImage image) {
        return Reorientation.toClosestCanonical(image.affine(), image.dims()).toCanonical(image);
    }
}
