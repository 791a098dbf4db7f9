package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.irisseg.spool.UploadSpool;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.Multipart;
import org.irisseg.support.ProblemAssertions;
import org.irisseg.support.ServiceInstance;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One instance on the file store, started with {@code iris.upload.spool-dir} and a short
 * {@code iris.store.reference-retention}, over real HTTP: what a killed process left in the spool is gone
 * after start-up, uploads are spooled there, and a task whose kept files expired keeps working from its
 * embeddings and is refused (409) once the model changes, like a task whose files were never kept.
 */
class SpoolAndRetentionInstanceTest {

    @TempDir
    static Path dir;

    private static Path leftover;
    private static ServiceInstance instance;

    @BeforeAll
    static void start() throws IOException {
        TestPaths.assumeModel();
        Path spool = Files.createDirectories(dir.resolve("spool"));
        Path dead = Files.createDirectories(spool.resolve("0b9d7c1e-0000-4000-8000-00000000dead"));
        Files.createFile(spool.resolve(dead.getFileName() + ".lock"));
        leftover = Files.write(dead.resolve("upload_0b9d7c1e_00000003.tmp"), new byte[8 << 20]);
        instance = ServiceInstance.startOnFiles(dir.resolve("store"), "--iris.upload.spool-dir=" + spool,
                "--iris.store.reference-retention=3s");
    }

    @AfterAll
    static void stop() {
        if (instance != null) {
            instance.close();
        }
    }

    @Test
    void whatAKilledProcessLeftInTheSpoolIsGoneAfterStartUp() {
        assertFalse(Files.exists(leftover));
        assertFalse(Files.exists(leftover.getParent()));
    }

    @Test
    void uploadsAreSpooledToTheProcessFolderOfTheSpool() throws Exception {
        Path folder = instance.bean(UploadSpool.class).dir();
        assertTrue(folder.startsWith(dir.resolve("spool")));
        String boundary = "iris-slow-upload";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"references\";"
                + " filename=\"slow.nii\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        CountDownLatch finish = new CountDownLatch(1);
        InputStream slow = new SequenceInputStream(new ByteArrayInputStream(head),
                new SequenceInputStream(new ByteArrayInputStream(new byte[1 << 20]), new InputStream() {
                    @Override
                    public int read() throws IOException {
                        try {
                            finish.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return -1;
                    }
                }));
        CompletableFuture<HttpResponse<byte[]>> answer = CompletableFuture.supplyAsync(() -> instance.client().post(
                "/api/v1/tasks", "multipart/form-data; boundary=" + boundary,
                HttpRequest.BodyPublishers.ofInputStream(() -> slow), "application/json"));
        try {
            assertTrue(waitFor(() -> !list(folder).isEmpty(), 30_000), "a spooled part in " + folder);
        } finally {
            finish.countDown();
        }
        answer.get(60, TimeUnit.SECONDS);
    }

    @Test
    void aTaskWhoseKeptFilesExpiredKeepsWorkingAndIsRefusedWhenTheModelChanges() throws Exception {
        TestPaths.assumeHippocampus();
        instance.awaitModel();
        String id = instance.client().registerTask(Hippocampus.taskForm("expiring", Hippocampus.REFERENCES.subList(0, 1)));
        Path references = dir.resolve("store").resolve("references");

        assertTrue(waitFor(() -> list(references).isEmpty(), 30_000), "kept files swept after the retention");

        assertEquals(200, segment(id).statusCode());
        TaskCache cache = instance.bean(TaskCache.class);
        cache.save(ModelVersionTest.asIfEncodedBy(cache.find(id).orElseThrow(), "iris-small@0.0.0-old", true));
        ProblemAssertions.assertProblem(segment(id), 409, "model-version-mismatch");
        assertEquals(200, instance.client().get("/api/v1/tasks/" + id).statusCode());
    }

    private static HttpResponse<byte[]> segment(String task) {
        return instance.client().post("/api/v1/segmentations", Multipart.form()
                .file("image", Hippocampus.image(Hippocampus.QUERIES.get(1))).field("taskId", task)
                .field("mode", "one-shot"), "application/json");
    }

    private static List<Path> list(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, long millis)
            throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
