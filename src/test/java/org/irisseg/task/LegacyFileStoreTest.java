package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.irisseg.nifti.NiftiLimits;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IdentifyingUpload;
import org.irisseg.support.TestPaths;
import org.irisseg.util.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

/**
 * A file store written by an earlier version (uploads kept byte for byte as {@code <sha256>.nii}, file names
 * in the task files, files 0644) loads with its tasks and without its identifiers; kept files older than
 * the retention are swept, and their tasks stay.
 */
class LegacyFileStoreTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path root;

    @Test
    void anEarlierStoreLoadsWithoutItsIdentifiers() throws IOException {
        TestPaths.assumeHippocampus();
        byte[] upload = IdentifyingUpload.of(Hippocampus.image(Hippocampus.REFERENCES.get(0)));
        String rawSha = Sha256.of(new java.io.ByteArrayInputStream(upload));
        Task task = withImage(TaskFixtures.task(1, 8, 50), rawSha);
        new FileTaskStore(root, JSON).save(task);
        Path document = root.resolve("tasks").resolve(task.id() + ".json");
        // as an earlier version wrote them: the upload's file name per reference, the upload as it came, 0644
        Files.writeString(document, Files.readString(document).replace("\"imageSha256\"",
                "\"filename\":\"" + IdentifyingUpload.FILE_NAME + "\",\"imageSha256\""));
        Path raw = Files.write(root.resolve("references").resolve(rawSha + ".nii"), upload);
        for (Path p : List.of(document, raw)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }

        FileTaskStore store = new FileTaskStore(root, JSON);

        Task loaded = store.find(task.id()).orElseThrow();
        String kept = loaded.references().get(0).imageSha256();
        assertNotEquals(rawSha, kept);
        assertFalse(Files.exists(raw));
        byte[] rewritten;
        try (InputStream in = store.openReferenceFile(kept).orElseThrow()) {
            rewritten = in.readAllBytes();
        }
        NoPatientDataAtRestTest.assertSameVolume(upload, rewritten);
        assertEquals(List.of(), identifiersInStore());
        assertFalse(Files.readString(document).contains("filename"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(document)));
        FileTaskStoreTest.assertSameTask(withImage(task, kept), loaded);
    }

    @Test
    void keptFilesOlderThanTheRetentionAreSweptAndTheirTaskStays() throws IOException {
        FileTaskStore store = new FileTaskStore(root, JSON, new ReferenceRewriter(NiftiLimits.defaults()),
                Duration.ofHours(1));
        String old = store.putReferenceFile(new java.io.ByteArrayInputStream("kept long ago".getBytes()));
        String recent = store.putReferenceFile(new java.io.ByteArrayInputStream("kept just now".getBytes()));
        Task task = withImage(TaskFixtures.task(1, 8, 51), old);
        TaskReference r = task.references().get(0);
        task = new Task(task.id(), task.tenant(), task.name(), task.classes(), List.of(r.withFiles(old, recent)),
                task.modelVersion(), task.createdAt());
        store.save(task);
        Files.setLastModifiedTime(root.resolve("references").resolve(old + ".nii.gz"),
                FileTime.from(Instant.now().minus(Duration.ofHours(2))));

        assertEquals(1, store.removeExpiredReferenceFiles());

        assertTrue(store.openReferenceFile(old).isEmpty());
        assertTrue(store.openReferenceFile(recent).isPresent());
        FileTaskStoreTest.assertSameTask(task, store.find(task.id()).orElseThrow());
    }

    @Test
    void keptFilesExpiredWhileTheServiceWasDownAreSweptAtStartUp() throws IOException {
        FileTaskStore store = new FileTaskStore(root, JSON);
        String sha = store.putReferenceFile(new java.io.ByteArrayInputStream("kept long ago".getBytes()));
        Task task = withImage(TaskFixtures.task(1, 8, 52), sha);
        store.save(task);
        Files.setLastModifiedTime(root.resolve("references").resolve(sha + ".nii.gz"),
                FileTime.from(Instant.now().minus(Duration.ofDays(31))));

        FileTaskStore restarted = new FileTaskStore(root, JSON, new ReferenceRewriter(NiftiLimits.defaults()),
                Duration.ofDays(30));

        assertTrue(restarted.openReferenceFile(sha).isEmpty());
        assertTrue(restarted.find(task.id()).isPresent());
    }

    @Test
    void keepingAFileAgainStartsItsRetentionAnew() throws IOException {
        FileTaskStore store = new FileTaskStore(root, JSON, new ReferenceRewriter(NiftiLimits.defaults()),
                Duration.ofHours(1));
        String sha = store.putReferenceFile(new java.io.ByteArrayInputStream("volume".getBytes()));
        Path file = root.resolve("references").resolve(sha + ".nii.gz");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

        store.putReferenceFile(new java.io.ByteArrayInputStream("volume".getBytes()));

        assertEquals(0, store.removeExpiredReferenceFiles());
        assertTrue(Files.exists(file));
    }

    private List<String> identifiersInStore() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).flatMap(f -> {
                try {
                    return IdentifyingUpload.identifiersIn(Files.readAllBytes(f)).stream().map(i -> f + " " + i);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    private static Task withImage(Task task, String image) {
        TaskReference r = task.references().get(0);
        return new Task(task.id(), task.tenant(), task.name(), task.classes(),
                List.of(r.withFiles(image, r.maskSha256())), task.modelVersion(), task.createdAt());
    }
}
