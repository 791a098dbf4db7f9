package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;

import org.flywaydb.core.Flyway;
import org.irisseg.support.Concurrently;
import org.irisseg.support.PostgresDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The PostgreSQL task store on the real server, each "replica" a store instance of its own. */
class PostgresTaskStoreTest {

    private static PostgresDatabase.Schema schema;

    @BeforeAll
    static void createSchema() {
        schema = PostgresDatabase.newSchema().migrated();
    }

    @AfterAll
    static void dropSchema() {
        if (schema != null) {
            schema.close();
        }
    }

    private static PostgresTaskStore store() {
        return new PostgresTaskStore(schema.dataSource());
    }

    @Test
    void aSavedTaskReadsBackBitExactOnAnotherReplica() {
        Task task = TaskFixtures.task(3, 257, 1);
        store().save(task);

        FileTaskStoreTest.assertSameTask(task, store().find(task.id()).orElseThrow());
        assertTrue(store().list(TaskFixtures.TENANT, 0, 500).contains(task.summary()));
    }

    @Test
    void listingIsPerTenantAndPaged() {
        TaskFixtures.assertListsPagesPerTenant(store());
    }

    @Test
    void aTasksTenantIsStored() {
        Task task = TaskFixtures.ofTenant(TaskFixtures.task(1, 8, 23), "radiology-" + schema.name());
        store().save(task);
        assertEquals(task.tenant(), store().find(task.id()).orElseThrow().tenant());
        assertEquals(List.of(task.summary()), store().list(task.tenant(), 0, 10));
    }

    @Test
    void tasksStoredBeforeTenantsBelongToTheDefaultTenant() {
        try (PostgresDatabase.Schema old = PostgresDatabase.newSchema()) {
            Flyway.configure().dataSource(old.url(), PostgresDatabase.USER, null).schemas(old.name()).target("2")
                    .load().migrate();
            Task task = TaskFixtures.task(1, 8, 24);
            new JdbcTemplate(old.dataSource()).update("INSERT INTO task (id, name, model_version, created_at)"
                    + " VALUES (?::uuid, 'before tenants', ?, now())", task.id(), task.modelVersion());
            old.migrated();

            PostgresTaskStore store = new PostgresTaskStore(old.dataSource());
            assertEquals(Task.DEFAULT_TENANT, store.find(task.id()).orElseThrow().tenant());
            assertEquals(1, store.count(Task.DEFAULT_TENANT));
            assertEquals("before tenants", store.list(Task.DEFAULT_TENANT, 0, 10).get(0).name());
        }
    }

    @Test
    void referencesEncodedInsideTheirFocusBoxReadBackBitExactOnAnotherReplica() {
        Task task = TaskFixtures.withFocus(TaskFixtures.task(2, 257, 31), 32, 0, 1);
        store().save(task);

        Task loaded = store().find(task.id()).orElseThrow();

        assertTrue(loaded.references().stream().allMatch(TaskReference::hasFocus));
        FileTaskStoreTest.assertSameTask(task, loaded);
    }

    @Test
    void aReferenceWithoutFocusReadsBackWithoutItBesideReferencesWithFocus() {
        Task task = TaskFixtures.withFocus(TaskFixtures.task(3, 16, 33), 34, 0, 2);
        store().save(task);

        Task loaded = store().find(task.id()).orElseThrow();

        assertNull(loaded.references().get(1).focus());
        FileTaskStoreTest.assertSameTask(task, loaded);
    }

    @Test
    void referencesAddedWithFocusKeepItInTheirNewPlaceInThePool() {
        Task task = TaskFixtures.task(1, 8, 35);
        store().save(task);
        Task added = TaskFixtures.withFocus(TaskFixtures.task(2, 8, 36), 37, 1);

        store().addReferences(task.id(), task.modelVersion(), added.references()).orElseThrow();

        Task loaded = store().find(task.id()).orElseThrow();
        assertEquals(List.of(false, false, true), loaded.references().stream().map(TaskReference::hasFocus).toList());
        FileTaskStoreTest.assertSameFocus(added.references().get(1), loaded.references().get(2));
    }

    @Test
    void aTaskStoredBeforeFocusExistedReadsBackWithoutFocus() throws Exception {
        try (PostgresDatabase.Schema old = PostgresDatabase.newSchema()) {
            Flyway.configure().dataSource(old.url(), PostgresDatabase.USER, null).schemas(old.name()).target("4")
                    .load().migrate();
            Task task = TaskFixtures.task(2, 8, 42);
            insertAsSchemaV4(new JdbcTemplate(old.dataSource()), task);
            old.migrated();

            Task loaded = new PostgresTaskStore(old.dataSource()).find(task.id()).orElseThrow();

            assertTrue(loaded.references().stream().noneMatch(TaskReference::hasFocus));
            FileTaskStoreTest.assertSameTask(task, loaded);
        }
    }

    /** What a version before focus wrote for a task: the columns of schema V4 only. */
    private static void insertAsSchemaV4(JdbcTemplate db, Task task) {
        UUID id = UUID.fromString(task.id());
        db.update("INSERT INTO task (id, tenant, name, model_version, created_at) VALUES (?, ?, ?, ?, ?)", id,
                task.tenant(), task.name(), task.modelVersion(),
                OffsetDateTime.ofInstant(task.createdAt(), ZoneOffset.UTC));
        for (int i = 0; i < task.classes().size(); i++) {
            db.update("INSERT INTO task_class (task_id, position, label, name) VALUES (?, ?, ?, ?)", id, i,
                    task.classes().get(i).label(), task.classes().get(i).name());
        }
        for (TaskReference r : task.references()) {
            db.update("INSERT INTO task_reference (task_id, position, image_sha256, mask_sha256, shape, model_version)"
                    + " VALUES (?, ?, ?, ?, '{30,40,35}', ?)", id, r.index(), r.imageSha256(), r.maskSha256(),
                    r.modelVersion());
            for (int label : r.labels()) {
                db.update("INSERT INTO reference_embedding (task_id, position, label, vector, volume_ml)"
                        + " VALUES (?, ?, ?, ?, ?)", id, r.index(), label, PostgresTaskStore.bytes(r.embedding(label)),
                        r.volumesMl().get(label));
            }
        }
    }

    @Test
    void savingAgainReplacesTheTaskAndBumpsItsRevision() {
        PostgresTaskStore store = store();
        Task task = TaskFixtures.task(1, 8, 2);
        store.save(task);
        long first = store.revision(task.id()).orElseThrow();
        store.save(task.withReferences(TaskFixtures.task(2, 8, 3).references().subList(1, 2)));

        assertEquals(2, store.find(task.id()).orElseThrow().references().size());
        assertTrue(store.revision(task.id()).orElseThrow() > first);
    }

    @Test
    void concurrentAppendsFromTwoReplicasAllLandNumberedInOrder() throws Exception {
        List<PostgresTaskStore> replicas = List.of(store(), store());
        Task task = TaskFixtures.task(1, 16, 4);
        replicas.get(0).save(task);
        List<TaskReference> extra = TaskFixtures.task(16, 16, 5).references();

        Concurrently.run(16, i -> replicas.get(i % 2).addReferences(task.id(), task.modelVersion(),
                List.of(extra.get(i))).orElseThrow());

        Task grown = store().find(task.id()).orElseThrow();
        assertEquals(17, grown.references().size());
        assertEquals(IntStream.range(0, 17).boxed().toList(), grown.references().stream().map(TaskReference::index).toList());
        for (TaskReference added : extra) {
            assertTrue(grown.references().stream().anyMatch(r -> r.imageSha256().equals(added.imageSha256())),
                    "reference " + added.index() + " was lost");
        }
    }

    @Test
    void anAppendEncodedByAnotherModelThanTheStoredTaskIsRefused() {
        PostgresTaskStore store = store();
        Task task = TaskFixtures.task(1, 8, 6);
        store.save(task);

        assertThrows(TaskChangedException.class, () -> store.addReferences(task.id(), "other@2",
                TaskFixtures.task(1, 8, 7).references()));
        assertEquals(1, store.find(task.id()).orElseThrow().references().size());
    }

    @Test
    void aReencodingOfAPoolThatGrewMeanwhileChangesNothing() {
        PostgresTaskStore store = store();
        Task read = TaskFixtures.task(1, 8, 8);
        store.save(read);
        store.addReferences(read.id(), read.modelVersion(), TaskFixtures.task(1, 8, 9).references());

        assertFalse(store.replace(read, read));
        assertEquals(2, store.find(read.id()).orElseThrow().references().size());
    }

    @Test
    void aReencodingOfTheStoredPoolReplacesIt() {
        PostgresTaskStore store = store();
        Task read = TaskFixtures.task(2, 8, 10);
        store.save(read);
        Task other = TaskFixtures.task(2, 8, 11);
        Task reencoded = new Task(read.id(), read.tenant(), read.name(), read.classes(), other.references(), other.modelVersion(),
                read.createdAt());

        assertTrue(store.replace(read, reencoded));
        FileTaskStoreTest.assertSameTask(reencoded, store.find(read.id()).orElseThrow());
    }

    @Test
    void deleteRemovesTheTaskEverywhereAndOnlyOnce() {
        Task task = TaskFixtures.task(2, 8, 12);
        store().save(task);

        assertTrue(store().delete(task.id()));
        assertTrue(store().find(task.id()).isEmpty());
        assertTrue(store().revision(task.id()).isEmpty());
        assertFalse(store().delete(task.id()));
    }

    @Test
    void idsThatAreNotTaskIdsFindNothing() {
        assertTrue(store().find("../etc/passwd").isEmpty());
        assertTrue(store().revision("").isEmpty());
        assertFalse(store().delete(null));
    }

    @Test
    void aKeptFileLargerThanAChunkReadsBackWholeAndIsStoredOnce() throws Exception {
        byte[] content = new byte[PostgresReferenceFiles.CHUNK * 2 + 12345];
        new Random(13).nextBytes(content);
        PostgresTaskStore store = store();

        String sha = store.putReferenceFile(new ByteArrayInputStream(content));
        assertEquals(sha, store().putReferenceFile(new ByteArrayInputStream(content)));

        try (InputStream in = store().openReferenceFile(sha).orElseThrow()) {
            assertArrayEquals(content, in.readAllBytes());
        }
        assertTrue(store.openReferenceFile("0".repeat(64)).isEmpty());
    }

    @Test
    void keptFilesNoTaskRefersToAreRemovedAfterTheGracePeriodOnly() throws Exception {
        PostgresTaskStore store = store();
        String orphan = store.putReferenceFile(new ByteArrayInputStream("orphan".getBytes()));
        Task task = TaskFixtures.task(1, 8, 14);
        String used = store.putReferenceFile(new ByteArrayInputStream("used".getBytes()));
        TaskReference r = task.references().get(0);
        store.save(new Task(task.id(), task.tenant(), task.name(), task.classes(), List.of(new TaskReference(0,
                used, r.maskSha256(), r.shape(), r.modelVersion(), r.embeddings())), task.modelVersion(),
                task.createdAt()));

        assertEquals(0, store.collectUnreferencedFiles(), "within the grace period every file stays");
        Thread.sleep(20);
        new PostgresTaskStore(schema.dataSource(), Duration.ofMillis(10));

        assertTrue(store.openReferenceFile(orphan).isEmpty());
        assertTrue(store.openReferenceFile(used).isPresent());
    }

    @Test
    void deletingATaskRemovesItsFilesAtOnceUnlessAnotherTaskUsesThem() throws Exception {
        PostgresTaskStore store = store();
        String shared = store.putReferenceFile(new ByteArrayInputStream("shared volume".getBytes()));
        String own = store.putReferenceFile(new ByteArrayInputStream("own volume".getBytes()));
        Task first = withFiles(TaskFixtures.task(1, 8, 15), shared, own);
        Task second = withFiles(TaskFixtures.task(1, 8, 16), shared, shared);
        store.save(first);
        store.save(second);

        assertTrue(store.delete(first.id()));

        assertTrue(store.openReferenceFile(own).isEmpty(), "no grace period for the files of a deleted task");
        assertTrue(store.openReferenceFile(shared).isPresent(), "still used by the second task");
        assertTrue(store.delete(second.id()));
        assertTrue(store.openReferenceFile(shared).isEmpty());
    }

    @Test
    void keptFilesOlderThanTheRetentionGoWhileTheirTaskKeepsItsEmbeddings() throws Exception {
        PostgresTaskStore store = new PostgresTaskStore(schema.dataSource(),
                new ReferenceRewriter(org.irisseg.nifti.NiftiLimits.defaults()), Duration.ofHours(1));
        String old = store.putReferenceFile(new ByteArrayInputStream("kept long ago".getBytes()));
        String recent = store.putReferenceFile(new ByteArrayInputStream("kept just now".getBytes()));
        Task task = withFiles(TaskFixtures.task(1, 8, 17), old, recent);
        store.save(task);
        try (var c = schema.dataSource().getConnection(); var s = c.prepareStatement(
                "UPDATE reference_file SET kept_at = now() - interval '2 hours' WHERE sha256 = ?")) {
            s.setString(1, old);
            s.executeUpdate();
        }

        assertEquals(1, store.removeExpiredReferenceFiles());

        assertTrue(store.openReferenceFile(old).isEmpty());
        assertTrue(store.openReferenceFile(recent).isPresent());
        FileTaskStoreTest.assertSameTask(task, store.find(task.id()).orElseThrow());
    }

    private static Task withFiles(Task task, String image, String mask) {
        TaskReference r = task.references().get(0);
        return new Task(task.id(), task.tenant(), task.name(), task.classes(), List.of(new TaskReference(0, image, mask,
                r.shape(), r.modelVersion(), r.embeddings())), task.modelVersion(), task.createdAt());
    }
}
