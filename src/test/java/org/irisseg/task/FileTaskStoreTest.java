package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

class FileTaskStoreTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path root;

    @Test
    void aSavedTaskComesBackBitExactAfterARestart() {
        Task task = TaskFixtures.task(3, 257, 1);
        new FileTaskStore(root, JSON).save(task);

        FileTaskStore reopened = new FileTaskStore(root, JSON);
        Task loaded = reopened.find(task.id()).orElseThrow();
        assertSameTask(task, loaded);
        assertEquals(List.of(task.summary()), reopened.list(TaskFixtures.TENANT, 0, 500));
    }

    @Test
    void savingAgainReplacesTheTask() {
        FileTaskStore store = new FileTaskStore(root, JSON);
        Task task = TaskFixtures.task(1, 8, 2);
        store.save(task);
        Task grown = task.withReferences(TaskFixtures.task(2, 8, 3).references().subList(1, 2));
        store.save(grown);
        assertEquals(2, store.find(task.id()).orElseThrow().references().size());
        assertEquals(1, store.list(TaskFixtures.TENANT, 0, 500).size());
    }

    @Test
    void aKillDuringRegistrationLeavesNoHalfWrittenTask() throws IOException {
        FileTaskStore store = new FileTaskStore(root, JSON);
        Task complete = TaskFixtures.task(1, 16, 4);
        store.save(complete);
        // what a kill leaves behind: a reference file kept before the task file was written, and a
        // task file that never reached its rename
        String orphan = store.putReferenceFile(stream("uploaded but never registered"));
        Path torn = root.resolve("tasks").resolve(TaskFixtures.task(1, 16, 5).id() + ".json.1234.tmp");
        Files.writeString(torn, "{\"format\":1,\"id\":\"");

        FileTaskStore restarted = new FileTaskStore(root, JSON);
        assertEquals(List.of(complete.summary()), restarted.list(TaskFixtures.TENANT, 0, 500));
        assertFalse(Files.exists(torn), "temporary files are removed at start-up");
        assertTrue(restarted.openReferenceFile(orphan).isEmpty(), "unreferenced reference files are removed");
        try (Stream<Path> files = Files.list(root.resolve("tasks"))) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void keptReferenceFilesSurviveWhileATaskUsesThemAndGoWithIt() throws IOException {
        FileTaskStore store = new FileTaskStore(root, JSON);
        String image = store.putReferenceFile(stream("image bytes"));
        String mask = store.putReferenceFile(stream("mask bytes"));
        assertEquals(image, store.putReferenceFile(stream("image bytes")), "content-addressed");
        Task base = TaskFixtures.task(1, 4, 6);
        TaskReference r = base.references().get(0);
        Task task = new Task(base.id(), base.tenant(), base.name(), base.classes(),
                List.of(new TaskReference(0, image, mask, r.shape(), r.modelVersion(), r.embeddings())),
                base.modelVersion(), base.createdAt());
        store.save(task);

        FileTaskStore restarted = new FileTaskStore(root, JSON);
        try (InputStream in = restarted.openReferenceFile(image).orElseThrow()) {
            assertEquals("image bytes", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertTrue(restarted.delete(task.id()));
        assertTrue(restarted.openReferenceFile(image).isEmpty());
        assertTrue(restarted.openReferenceFile(mask).isEmpty());
        assertTrue(restarted.find(task.id()).isEmpty());
        assertFalse(restarted.delete(task.id()));
    }

    @Test
    void aTaskFileThatStillCarriesAnEmaSummaryLoads() throws IOException {
        Task task = TaskFixtures.task(2, 8, 7);
        new FileTaskStore(root, JSON).save(task);
        Path file = root.resolve("tasks").resolve(task.id() + ".json");
        String stored = Files.readString(file);
        Files.writeString(file, stored.substring(0, stored.length() - 1) + ",\"ema\":{\"1\":\"AACAPw==\"}}");

        Task loaded = new FileTaskStore(root, JSON).find(task.id()).orElseThrow();

        assertSameTask(task, loaded);
    }

    @Test
    void aTaskFileWrittenBeforeReferencesRecordedTheirClassVolumesLoadsWithoutThem() throws IOException {
        Task task = TaskFixtures.task(2, 8, 8);
        new FileTaskStore(root, JSON).save(task);
        Path file = root.resolve("tasks").resolve(task.id() + ".json");
        Files.writeString(file, Files.readString(file).replaceAll(",\\s*\"volumesMl\"\\s*:\\s*\\{[^}]*\\}", ""));

        Task loaded = new FileTaskStore(root, JSON).find(task.id()).orElseThrow();

        assertFalse(Files.readString(file).contains("volumesMl"));
        assertEquals(List.of(), loaded.referenceVolumesMl(1));
        assertArrayEquals(task.references().get(1).embedding(2), loaded.references().get(1).embedding(2));
    }

    @Test
    void referencesEncodedInsideTheirFocusBoxComeBackBitExactAfterARestart() {
        Task task = TaskFixtures.withFocus(TaskFixtures.task(2, 257, 31), 32, 0, 1);
        new FileTaskStore(root, JSON).save(task);

        Task loaded = new FileTaskStore(root, JSON).find(task.id()).orElseThrow();

        assertTrue(loaded.references().stream().allMatch(TaskReference::hasFocus));
        assertSameTask(task, loaded);
    }

    @Test
    void aReferenceWithoutFocusComesBackWithoutItBesideReferencesWithFocus() {
        Task task = TaskFixtures.withFocus(TaskFixtures.task(3, 16, 33), 34, 0, 2);
        new FileTaskStore(root, JSON).save(task);

        Task loaded = new FileTaskStore(root, JSON).find(task.id()).orElseThrow();

        assertNull(loaded.references().get(1).focus());
        assertSameTask(task, loaded);
    }

    @Test
    void referencesAddedWithFocusKeepItInTheirNewPlaceInThePool() {
        FileTaskStore store = new FileTaskStore(root, JSON);
        Task task = TaskFixtures.task(1, 8, 35);
        store.save(task);
        Task added = TaskFixtures.withFocus(TaskFixtures.task(2, 8, 36), 37, 1);

        store.addReferences(task.id(), task.modelVersion(), added.references());

        Task loaded = new FileTaskStore(root, JSON).find(task.id()).orElseThrow();
        assertEquals(List.of(false, false, true), loaded.references().stream().map(TaskReference::hasFocus).toList());
        assertSameFocus(added.references().get(1), loaded.references().get(2));
    }

    @Test
    void aTaskFileWrittenBeforeFocusExistedLoadsWithoutFocus() throws IOException {
        Task task = TaskFixtures.withFocus(TaskFixtures.task(2, 8, 38), 39, 0, 1);
        new FileTaskStore(root, JSON).save(task);
        Path file = root.resolve("tasks").resolve(task.id() + ".json");
        Files.writeString(file, Files.readString(file).replaceAll(",\\s*\"focusSideMm\"\\s*:\\s*[^,}]*", "")
                .replaceAll(",\\s*\"focusEmbeddings\"\\s*:\\s*\\{[^}]*\\}", ""));
        assertFalse(Files.readString(file).contains("focus"));

        Task loaded = new FileTaskStore(root, JSON).find(task.id()).orElseThrow();

        assertTrue(loaded.references().stream().noneMatch(TaskReference::hasFocus));
        assertArrayEquals(task.references().get(1).embedding(2), loaded.references().get(1).embedding(2));
    }

    @Test
    void aTaskFileWhoseReferenceHasAFocusSideButNoFocusEmbeddingsIsSetAside() throws IOException {
        Task task = TaskFixtures.withFocus(TaskFixtures.task(1, 8, 40), 41, 0);
        new FileTaskStore(root, JSON).save(task);
        Path file = root.resolve("tasks").resolve(task.id() + ".json");
        Files.writeString(file, Files.readString(file)
                .replaceAll(",\\s*\"focusEmbeddings\"\\s*:\\s*\\{[^}]*\\}", ""));

        FileTaskStore restarted = new FileTaskStore(root, JSON);

        assertTrue(restarted.find(task.id()).isEmpty());
        assertTrue(Files.exists(file.resolveSibling(file.getFileName() + ".unreadable")));
    }

    @Test
    void anUnreadableTaskFileIsMovedAsideNotLoaded() throws IOException {
        Path tasks = Files.createDirectories(root.resolve("tasks"));
        Path broken = tasks.resolve("00000000-0000-0000-0000-00000000000a.json");
        Files.writeString(broken, "not json");
        FileTaskStore store = new FileTaskStore(root, JSON);
        assertTrue(store.list(TaskFixtures.TENANT, 0, 500).isEmpty());
        assertTrue(Files.exists(tasks.resolve("00000000-0000-0000-0000-00000000000a.json.unreadable")));
    }

    @Test
    void theReferenceFilesOfASetAsideTaskSurviveRestartsAndDeletesOfOtherTasks() throws IOException {
        FileTaskStore store = new FileTaskStore(root, JSON);
        String image = store.putReferenceFile(stream("image of the damaged task"));
        String mask = store.putReferenceFile(stream("mask of the damaged task"));
        Task other = TaskFixtures.task(1, 4, 30);
        store.save(other);
        Path tasks = root.resolve("tasks");
        Files.writeString(tasks.resolve("00000000-0000-0000-0000-00000000000b.json"),
                "{\"format\":1,\"references\":[{\"imageSha256\":\"" + image + "\",\"maskSha");

        FileTaskStore restarted = new FileTaskStore(root, JSON);
        assertTrue(restarted.delete(other.id()));
        FileTaskStore again = new FileTaskStore(root, JSON);

        assertTrue(again.openReferenceFile(image).isPresent(), "named in the damaged file");
        assertTrue(again.openReferenceFile(mask).isPresent(), "cut off from the damaged file");
    }

    @Test
    void aTaskFileSetAsideTwiceKeepsBothCopies() throws IOException {
        Path tasks = Files.createDirectories(root.resolve("tasks"));
        Path file = tasks.resolve("00000000-0000-0000-0000-00000000000c.json");
        Files.writeString(file, "first damaged copy");
        new FileTaskStore(root, JSON);
        Files.writeString(file, "second damaged copy");

        new FileTaskStore(root, JSON);

        try (Stream<Path> files = Files.list(tasks)) {
            List<String> copies = files.map(f -> readString(f)).sorted().toList();
            assertEquals(List.of("first damaged copy", "second damaged copy"), copies);
        }
    }

    @Test
    void idsThatAreNotUuidsNeverTouchTheFileSystem() {
        FileTaskStore store = new FileTaskStore(root, JSON);
        assertTrue(store.find("../../etc/passwd").isEmpty());
        assertTrue(store.find("").isEmpty());
        assertFalse(store.delete("../x"));
    }

    @Test
    void listingIsOldestFirst() {
        FileTaskStore store = new FileTaskStore(root, JSON);
        Task later = TaskFixtures.task(1, 4, 20);
        Task earlier = TaskFixtures.task(1, 4, 10);
        store.save(later);
        store.save(earlier);
        assertEquals(List.of(earlier.id(), later.id()),
                store.list(TaskFixtures.TENANT, 0, 500).stream().map(TaskSummary::id).toList());
    }

    @Test
    void listingIsPerTenantAndPaged() {
        TaskFixtures.assertListsPagesPerTenant(new FileTaskStore(root, JSON));
    }

    @Test
    void aTasksTenantSurvivesARestart() {
        Task task = TaskFixtures.ofTenant(TaskFixtures.task(1, 8, 21), "radiology");
        new FileTaskStore(root, JSON).save(task);
        FileTaskStore restarted = new FileTaskStore(root, JSON);
        assertEquals("radiology", restarted.find(task.id()).orElseThrow().tenant());
        assertEquals(List.of(task.summary()), restarted.list("radiology", 0, 10));
        assertEquals(0, restarted.count(TaskFixtures.TENANT));
    }

    @Test
    void aTaskFileWrittenBeforeTenantsBelongsToTheDefaultTenant() throws IOException {
        Task task = TaskFixtures.task(1, 8, 22);
        FileTaskStore store = new FileTaskStore(root, JSON);
        store.save(task);
        Path file = root.resolve("tasks").resolve(task.id() + ".json");
        String withoutTenant = Files.readString(file).replace("\"tenant\":\"" + task.tenant() + "\",", "");
        assertFalse(withoutTenant.contains("\"tenant\""));
        Files.writeString(file, withoutTenant);

        FileTaskStore restarted = new FileTaskStore(root, JSON);
        assertEquals(Task.DEFAULT_TENANT, restarted.find(task.id()).orElseThrow().tenant());
        assertEquals(1, restarted.count(Task.DEFAULT_TENANT));
    }

    static void assertSameTask(Task expected, Task actual) {
        assertEquals(expected.summary(), actual.summary());
        assertEquals(expected.references().size(), actual.references().size());
        for (int i = 0; i < expected.references().size(); i++) {
            TaskReference e = expected.references().get(i);
            TaskReference a = actual.references().get(i);
            assertEquals(e.imageSha256(), a.imageSha256());
            assertEquals(e.modelVersion(), a.modelVersion());
            assertArrayEquals(e.shape(), a.shape());
            assertEquals(e.volumesMl(), a.volumesMl());
            for (TaskClass c : expected.classes()) {
                assertArrayEquals(e.embedding(c.label()), a.embedding(c.label()));
            }
            assertSameFocus(e, a);
        }
    }

    /** Both references without focus, or both with the same side (exactly) and the same focus embeddings. */
    static void assertSameFocus(TaskReference expected, TaskReference actual) {
        assertEquals(expected.hasFocus(), actual.hasFocus(), "focus of reference " + expected.index());
        if (expected.hasFocus()) {
            assertEquals(Double.doubleToRawLongBits(expected.focus().sideMm()),
                    Double.doubleToRawLongBits(actual.focus().sideMm()));
            assertEquals(expected.focus().labels(), actual.focus().labels());
            for (int label : expected.focus().labels()) {
                assertArrayEquals(expected.focus().embedding(label), actual.focus().embedding(label));
            }
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
