package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

/**
 * The file store under a real file-size limit: a child JVM runs under {@code prlimit --fsize}, so the
 * kernel cuts its writes short (then fails them with EFBIG) exactly as a full disk or quota would. The
 * store must refuse the change and keep what it had, across a restart.
 */
class FileSizeLimitTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Above the stored task's file, below the grown one's (about 150 kB with 40 more references). */
    private static final long LIMIT_BYTES = 16 * 1024;

    @TempDir
    Path root;

    @Test
    void aTaskThatOutgrowsTheLimitIsRefusedAndThePreviousVersionSurvivesARestart() throws Exception {
        FileTaskStore store = new FileTaskStore(root, JSON);
        Task task = taskWithKeptFiles(store);
        store.save(task);
        long stored = Files.size(root.resolve("tasks").resolve(task.id() + ".json"));
        assertTrue(stored < LIMIT_BYTES, "the stored task file (" + stored + " bytes) fits under the limit");

        Child child = runUnderLimit("grow", root.toString(), task.id());

        assertEquals(0, child.exitCode(), child.output());
        assertTrue(child.output().contains("File too large"), child.output());
        FileTaskStore restarted = new FileTaskStore(root, JSON);
        FileTaskStoreTest.assertSameTask(task, restarted.find(task.id()).orElseThrow());
        assertEquals(List.of(task.summary()), restarted.list(TaskFixtures.TENANT, 0, 500));
        for (TaskReference r : task.references()) {
            assertTrue(restarted.openReferenceFile(r.imageSha256()).isPresent(), "kept image survives");
            assertTrue(restarted.openReferenceFile(r.maskSha256()).isPresent(), "kept mask survives");
        }
        assertEquals(List.of(task.id() + ".json"), names(root.resolve("tasks")), "nothing set aside, no leftovers");
    }

    @Test
    void aReferenceFileOverTheLimitIsRefusedAndLeavesNoFileBehind() throws Exception {
        new FileTaskStore(root, JSON);

        Child child = runUnderLimit("keep", root.toString(), String.valueOf(4 * LIMIT_BYTES));

        assertEquals(0, child.exitCode(), child.output());
        new FileTaskStore(root, JSON);
        assertEquals(List.of(), names(root.resolve("references")));
    }

    private static Task taskWithKeptFiles(FileTaskStore store) throws IOException {
        String image = store.putReferenceFile(stream("image bytes"));
        String mask = store.putReferenceFile(stream("mask bytes"));
        Task base = TaskFixtures.task(1, 64, 5);
        TaskReference r = base.references().get(0);
        return new Task(base.id(), base.tenant(), base.name(), base.classes(),
                List.of(new TaskReference(0, image, mask, r.shape(), r.modelVersion(), r.embeddings())),
                base.modelVersion(), base.createdAt());
    }

    /** Exit status and output of the child JVM. */
    private record Child(int exitCode, String output) {
    }

    private static Child runUnderLimit(String... args) throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "prlimit is Linux-only");
        List<String> command = new java.util.ArrayList<>(List.of("prlimit", "--fsize=" + LIMIT_BYTES,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData", "-Xshare:off",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                LimitedStoreWriter.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child finished");
        return new Child(process.exitValue(), output);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
