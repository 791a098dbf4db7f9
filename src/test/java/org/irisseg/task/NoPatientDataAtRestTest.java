package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.irisseg.nifti.NiftiHeader;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IdentifyingUpload;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A reference upload whose header text fields, extension, gzip header and file name carry a fake patient's
 * identifiers is kept without any of them (file store, real HTTP): the kept files, read back byte for byte,
 * are re-written from the decoded volume with the same voxels and geometry, 0600; the task file names no
 * upload; deleting the task deletes its files.
 */
class NoPatientDataAtRestTest extends IrisIntegrationTest {

    private static final String SUBJECT = Hippocampus.REFERENCES.get(1);
    private static final NiftiReader READER = new NiftiReader(NiftiLimits.defaults());

    @Autowired
    TaskCache cache;

    private String registerIdentifying(String name) throws InterruptedException {
        return registerIdentifying(name, SUBJECT);
    }

    private String registerIdentifying(String name, String subject) throws InterruptedException {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        return client().registerTask(identifyingForm(name, subject));
    }

    /** A registration of the subject's image and mask, both carrying the fake identifiers. */
    static Multipart identifyingForm(String name, String subject) {
        return Multipart.form().field("name", name).field("labels", Hippocampus.LABELS)
                .file("references", IdentifyingUpload.FILE_NAME, IdentifyingUpload.of(Hippocampus.image(subject)))
                .file("masks", "DOE_JOHN_MRN12345678_mask.nii.gz", IdentifyingUpload.of(Hippocampus.label(subject)));
    }

    private static Path kept(String sha256) {
        return STORE.resolve("references").resolve(sha256 + ".nii.gz");
    }

    @Test
    void theFakeUploadReallyCarriesTheIdentifiers() {
        TestPaths.assumeHippocampus();
        assertEquals(IdentifyingUpload.IDENTIFIERS,
                IdentifyingUpload.identifiersIn(IdentifyingUpload.of(Hippocampus.image(SUBJECT))));
    }

    @Test
    void keptReferencesHoldNoIdentifierAndTheSameVoxelsAndGeometry() throws Exception {
        String id = registerIdentifying("at rest");
        TaskReference reference = cache.find(id).orElseThrow().references().get(0);

        byte[] image = Files.readAllBytes(kept(reference.imageSha256()));
        byte[] mask = Files.readAllBytes(kept(reference.maskSha256()));

        assertEquals(List.of(), IdentifyingUpload.identifiersIn(image));
        assertEquals(List.of(), IdentifyingUpload.identifiersIn(mask));
        assertSameVolume(IdentifyingUpload.of(Hippocampus.image(SUBJECT)), image);
        assertSameVolume(IdentifyingUpload.of(Hippocampus.label(SUBJECT)), mask);
    }

    @Test
    void theTaskFileAndTheAnswersNameNoUpload() throws Exception {
        String id = registerIdentifying("names");
        HttpResponse<byte[]> answer = client().get("/api/v1/tasks/" + id);

        byte[] document = Files.readAllBytes(STORE.resolve("tasks").resolve(id + ".json"));

        assertEquals(List.of(), IdentifyingUpload.identifiersIn(document));
        assertFalse(new String(document).contains("filename"));
        assertEquals(List.of(), IdentifyingUpload.identifiersIn(answer.body()));
    }

    @Test
    void everyFileTheStoreWritesIsPrivate() throws Exception {
        String id = registerIdentifying("permissions");
        TaskReference reference = cache.find(id).orElseThrow().references().get(0);

        for (Path file : List.of(STORE.resolve("tasks").resolve(id + ".json"), kept(reference.imageSha256()),
                kept(reference.maskSha256()))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
        }
        for (Path dir : List.of(STORE.resolve("tasks"), STORE.resolve("references"))) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), dir.toString());
        }
    }

    @Test
    void deletingATaskDeletesItsFilesAtOnceButNotThoseAnotherTaskUses() throws Exception {
        // a subject no other test registers, so no other task shares its files
        String subject = Hippocampus.QUERIES.get(4);
        String first = registerIdentifying("first of two", subject);
        String second = registerIdentifying("second of two", subject);
        TaskReference reference = cache.find(first).orElseThrow().references().get(0);
        assertEquals(reference.imageSha256(), cache.find(second).orElseThrow().references().get(0).imageSha256(),
                "the same volume is kept once");

        assertEquals(204, client().delete("/api/v1/tasks/" + first).statusCode());
        assertTrue(Files.exists(kept(reference.imageSha256())), "still used by the second task");

        assertEquals(204, client().delete("/api/v1/tasks/" + second).statusCode());
        assertFalse(Files.exists(kept(reference.imageSha256())));
        assertFalse(Files.exists(kept(reference.maskSha256())));
        assertFalse(Files.exists(STORE.resolve("tasks").resolve(second + ".json")));
    }

    @Test
    void aTaskReEncodedFromItsReWrittenFilesHasTheSameEmbeddings() throws Exception {
        String id = registerIdentifying("re-encoded");
        Task registered = cache.find(id).orElseThrow();
        cache.save(ModelVersionTest.asIfEncodedBy(registered, "iris-small@0.0.0-old", true));

        HttpResponse<byte[]> answer = client().post("/api/v1/segmentations", Multipart.form()
                .file("image", Hippocampus.image(Hippocampus.QUERIES.get(0))).field("taskId", id)
                .field("mode", "one-shot"), "application/json");

        assertEquals(200, answer.statusCode(), new String(answer.body()));
        Task reencoded = cache.find(id).orElseThrow();
        assertEquals(model.modelVersion(), reencoded.modelVersion());
        TaskReference before = registered.references().get(0);
        TaskReference after = reencoded.references().get(0);
        for (TaskClass c : registered.classes()) {
            assertArrayEquals(before.embedding(c.label()), after.embedding(c.label()), "class " + c.label());
        }
        assertEquals(before.volumesMl(), after.volumesMl());
        assertEquals(before.imageSha256(), after.imageSha256());
    }

    @Test
    void noFileInTheStoreHoldsAnIdentifier() throws Exception {
        registerIdentifying("whole store");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(STORE)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                List<String> in = IdentifyingUpload.identifiersIn(Files.readAllBytes(file));
                if (!in.isEmpty()) {
                    found.add(file.getFileName() + " " + in);
                }
            }
        }
        assertEquals(List.of(), found);
    }

    /** Same voxels (bit for bit) and the same geometry and datatype as the upload. */
    static void assertSameVolume(byte[] upload, byte[] kept) throws IOException {
        NiftiImage expected = READER.readImage(new ByteArrayInputStream(upload));
        NiftiImage actual = READER.readImage(new ByteArrayInputStream(kept));
        float[] e = expected.data();
        float[] a = actual.data();
        assertEquals(e.length, a.length);
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                throw new AssertionError("voxel " + i + ": " + e[i] + " became " + a[i]);
            }
        }
        NiftiHeader h = expected.header();
        NiftiHeader k = actual.header();
        assertEquals(h.datatype(), k.datatype());
        assertArrayEquals(h.dim(), k.dim());
        assertArrayEquals(h.pixdim(), k.pixdim());
        assertEquals(h.qformCode(), k.qformCode());
        assertEquals(h.sformCode(), k.sformCode());
        assertArrayEquals(new double[] {h.quaternB(), h.quaternC(), h.quaternD(), h.qoffsetX(), h.qoffsetY(),
                h.qoffsetZ()}, new double[] {k.quaternB(), k.quaternC(), k.quaternD(), k.qoffsetX(), k.qoffsetY(),
                k.qoffsetZ()});
        assertArrayEquals(h.srowX(), k.srowX());
        assertArrayEquals(h.srowY(), k.srowY());
        assertArrayEquals(h.srowZ(), k.srowZ());
        assertEquals(h.xyztUnits(), k.xyztUnits());
        assertArrayEquals(flatten(h.affine()), flatten(k.affine()));
    }

    private static double[] flatten(double[][] m) {
        return Stream.of(m).flatMapToDouble(java.util.Arrays::stream).toArray();
    }
}
