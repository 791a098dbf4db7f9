package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.irisseg.support.Hippocampus;
import org.irisseg.support.IdentifyingUpload;
import org.irisseg.support.PostgresDatabase;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL store written before references were re-written and file names dropped (schema V2: the
 * upload's bytes kept as they came, its file name in {@code task_reference.filename}) is scrubbed: the
 * migration drops the names, the store re-writes the raw files at start-up and points the references at
 * them; the task loads as it was.
 */
class LegacyPostgresStoreTest {

    @Test
    void aStoreOfTheEarlierSchemaLosesItsIdentifiersAndKeepsItsTasks() throws Exception {
        TestPaths.assumeHippocampus();
        byte[] upload = IdentifyingUpload.of(Hippocampus.image(Hippocampus.REFERENCES.get(0)));
        String rawSha = org.irisseg.util.Sha256.of(new java.io.ByteArrayInputStream(upload));
        Task task = TaskFixtures.task(1, 8, 40);
        try (PostgresDatabase.Schema schema = PostgresDatabase.newSchema()) {
            Flyway.configure().dataSource(schema.url(), PostgresDatabase.USER, null).schemas(schema.name())
                    .target("2").load().migrate();
            try (Connection c = schema.dataSource().getConnection()) {
                insertEarlierTask(c, task, rawSha);
                insertRawFile(c, rawSha, upload);
            }
            schema.migrated();

            PostgresTaskStore store = new PostgresTaskStore(schema.dataSource());

            Task loaded = store.find(task.id()).orElseThrow();
            String kept = loaded.references().get(0).imageSha256();
            assertNotEquals(rawSha, kept);
            byte[] rewritten;
            try (InputStream in = store.openReferenceFile(kept).orElseThrow()) {
                rewritten = in.readAllBytes();
            }
            assertEquals(List.of(), IdentifyingUpload.identifiersIn(rewritten));
            NoPatientDataAtRestTest.assertSameVolume(upload, rewritten);
            assertFalse(store.openReferenceFile(rawSha).isPresent());
            assertEquals(List.of(), rowsHolding(schema));
            assertArrayEqualsEmbeddings(task, loaded);
        }
    }

    private static void assertArrayEqualsEmbeddings(Task expected, Task actual) {
        for (TaskClass c : expected.classes()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected.references().get(0).embedding(c.label()),
                    actual.references().get(0).embedding(c.label()));
        }
    }

    /** Rows of any table, as text, that hold an identifier (kept file chunks: gunzipped too). */
    static List<String> rowsHolding(PostgresDatabase.Schema schema) throws Exception {
        List<String> found = new ArrayList<>();
        try (Connection c = schema.dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("task", "task_class", "task_reference", "reference_embedding",
                    "reference_file")) {
                try (ResultSet rows = s.executeQuery("SELECT t::text FROM " + table + " t")) {
                    while (rows.next()) {
                        List<String> in = IdentifyingUpload.identifiersIn(rows.getString(1).getBytes());
                        if (!in.isEmpty()) {
                            found.add(table + " " + in);
                        }
                    }
                }
            }
            try (ResultSet blobs = s.executeQuery("SELECT blob_id FROM reference_file")) {
                List<UUID> ids = new ArrayList<>();
                while (blobs.next()) {
                    ids.add(blobs.getObject(1, UUID.class));
                }
                for (UUID blob : ids) {
                    List<String> in = IdentifyingUpload.identifiersIn(blob(c, blob));
                    if (!in.isEmpty()) {
                        found.add("reference_file_chunk " + blob + " " + in);
                    }
                }
            }
        }
        return found;
    }

    private static byte[] blob(Connection c, UUID blob) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT data FROM reference_file_chunk WHERE blob_id = ? ORDER BY seq")) {
            s.setObject(1, blob);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    out.writeBytes(rows.getBytes(1));
                }
            }
        }
        return out.toByteArray();
    }

    private static void insertEarlierTask(Connection c, Task task, String rawSha) throws Exception {
        UUID id = UUID.fromString(task.id());
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO task (id, name, model_version, created_at) VALUES (?, ?, ?, ?)")) {
            s.setObject(1, id);
            s.setString(2, task.name());
            s.setString(3, task.modelVersion());
            s.setObject(4, OffsetDateTime.ofInstant(task.createdAt(), ZoneOffset.UTC));
            s.executeUpdate();
        }
        for (int i = 0; i < task.classes().size(); i++) {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO task_class (task_id, position, label, name) VALUES (?, ?, ?, ?)")) {
                s.setObject(1, id);
                s.setInt(2, i);
                s.setInt(3, task.classes().get(i).label());
                s.setString(4, task.classes().get(i).name());
                s.executeUpdate();
            }
        }
        TaskReference r = task.references().get(0);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO task_reference (task_id, position, filename,"
                + " image_sha256, mask_sha256, shape, model_version) VALUES (?, 0, ?, ?, ?, '{30,40,35}', ?)")) {
            s.setObject(1, id);
            s.setString(2, IdentifyingUpload.FILE_NAME);
            s.setString(3, rawSha);
            s.setString(4, r.maskSha256());
            s.setString(5, r.modelVersion());
            s.executeUpdate();
        }
        for (TaskClass k : task.classes()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO reference_embedding (task_id, position, label,"
                    + " vector, volume_ml) VALUES (?, 0, ?, ?, ?)")) {
                s.setObject(1, id);
                s.setInt(2, k.label());
                s.setBytes(3, PostgresTaskStore.bytes(r.embedding(k.label())));
                s.setDouble(4, r.volumesMl().get(k.label()));
                s.executeUpdate();
            }
        }
    }

    private static void insertRawFile(Connection c, String sha, byte[] content) throws Exception {
        UUID blob = UUID.randomUUID();
        c.setAutoCommit(false);
        try (PreparedStatement chunk = c.prepareStatement(
                "INSERT INTO reference_file_chunk (blob_id, seq, data) VALUES (?, 0, ?)");
                PreparedStatement file = c.prepareStatement(
                        "INSERT INTO reference_file (sha256, blob_id, size, chunks) VALUES (?, ?, ?, 1)")) {
            chunk.setObject(1, blob);
            chunk.setBytes(2, content);
            chunk.executeUpdate();
            file.setString(1, sha);
            file.setObject(2, blob);
            file.setLong(3, content.length);
            file.executeUpdate();
        }
        c.commit();
    }
}
