package org.irisseg.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

import org.irisseg.support.Hippocampus;
import org.irisseg.support.IdentifyingUpload;
import org.irisseg.support.PostgresDatabase;
import org.irisseg.support.ServiceInstance;
import org.irisseg.support.TestPaths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL store keeps a reference upload carrying a fake patient's identifiers without any of them
 * (real HTTP, real server): no row of any table and no kept file, read back byte for byte (gunzipped too),
 * holds one; the kept volumes equal the uploads'; deleting the task deletes its files at once.
 */
class PostgresNoPatientDataTest {

    private static PostgresDatabase.Schema schema;
    private static ServiceInstance instance;

    @BeforeAll
    static void start() throws InterruptedException {
        TestPaths.assumeHippocampus();
        schema = PostgresDatabase.newSchema();
        instance = ServiceInstance.startReady(schema.url());
    }

    @AfterAll
    static void stop() {
        if (instance != null) {
            instance.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    @Test
    void noRowAndNoKeptFileHoldsAnIdentifierAndTheVolumesAreTheUploads() throws Exception {
        String subject = Hippocampus.REFERENCES.get(1);
        String id = instance.client().registerTask(NoPatientDataAtRestTest.identifyingForm("at rest", subject));

        assertEquals(List.of(), LegacyPostgresStoreTest.rowsHolding(schema));
        TaskReference reference = instance.bean(TaskCache.class).find(id).orElseThrow().references().get(0);
        TaskStore store = instance.bean(TaskStore.class);
        try (InputStream image = store.openReferenceFile(reference.imageSha256()).orElseThrow();
                InputStream mask = store.openReferenceFile(reference.maskSha256()).orElseThrow()) {
            NoPatientDataAtRestTest.assertSameVolume(IdentifyingUpload.of(Hippocampus.image(subject)),
                    image.readAllBytes());
            NoPatientDataAtRestTest.assertSameVolume(IdentifyingUpload.of(Hippocampus.label(subject)),
                    mask.readAllBytes());
        }
    }

    @Test
    void deletingATaskDeletesItsKeptFilesAtOnce() throws Exception {
        String id = instance.client().registerTask(
                NoPatientDataAtRestTest.identifyingForm("deleted", Hippocampus.QUERIES.get(3)));
        TaskReference reference = instance.bean(TaskCache.class).find(id).orElseThrow().references().get(0);
        assertEquals(2, keptRows(reference));

        assertEquals(204, instance.client().delete("/api/v1/tasks/" + id).statusCode());

        assertEquals(0, keptRows(reference));
        assertTrue(instance.bean(TaskStore.class).openReferenceFile(reference.imageSha256()).isEmpty());
    }

    private static int keptRows(TaskReference reference) throws Exception {
        try (Connection c = schema.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM reference_file WHERE sha256 IN (?, ?)")) {
            s.setString(1, reference.imageSha256());
            s.setString(2, reference.maskSha256());
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
