package org.irisseg.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.TestCallerFilter;
import org.irisseg.support.NiftiBytes;
import org.irisseg.util.Sha256;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The audit log over real HTTP: one JSON line per API call on the logger {@value AuditFilter#LOGGER}, with
 * the action, status, task, model version and upload digests, and none of the identifying text the calls
 * carry (file names, task name, class names, NIfTI header text and extensions all hold a fake patient).
 */
class AuditLogTest extends IrisIntegrationTest {

    /** Fake identifiers put into every free-text place a call has. */
    static final List<String> IDENTIFIERS = List.of("DOE", "JOHN", "12345678", "998877");
    static final String TASK_NAME = "Hippocampus DOE^JOHN MRN 12345678";
    static final String LABELS = "{\"1\":\"DOE^JOHN anterior\",\"2\":\"ACC-998877\"}";
    static final String IMAGE_NAME = "DOE_JOHN_MRN12345678.nii";
    static final String MASK_NAME = "DOE_JOHN_MRN12345678_mask.nii";

    static final byte[] IMAGE = withHeaderText(NiftiBytes.volume(20, 22, 18).blob().nii());
    static final byte[] MASK = withHeaderText(NiftiBytes.volume(20, 22, 18).twoLabelBall(4).nii());

    private AuditCapture audit;

    @BeforeEach
    void capture() {
        audit = AuditCapture.attach(AuditFilter.LOGGER);
    }

    @AfterEach
    void release() {
        audit.close();
    }

    @Test
    void registeringATaskIsAuditedWithItsIdModelVersionAndUploadDigests() throws Exception {
        assumeModelReady();
        HttpResponse<byte[]> created = call("register").post("/api/v1/tasks", registration(), null);
        assertEquals(201, created.statusCode(), new String(created.body()));

        JsonNode line = auditOf(created);
        assertThat(line.path("action").asString()).isEqualTo("task.register");
        assertThat(line.path("method").asString()).isEqualTo("POST");
        assertThat(line.path("status").asInt()).isEqualTo(201);
        assertThat(line.path("taskId").asString()).isEqualTo(IrisClient.json(created).path("id").asString());
        assertThat(line.path("modelVersion").asString()).isEqualTo(model.modelVersion());
        assertThat(uploads(line)).containsExactly("references=" + sha256(IMAGE) + "/" + IMAGE.length,
                "masks=" + sha256(MASK) + "/" + MASK.length);
    }

    @Test
    void readingListingAndDeletingATaskAreAuditedWithItsId() throws Exception {
        String id = register();

        JsonNode get = auditOf(call("get").get("/api/v1/tasks/" + id));
        JsonNode list = auditOf(call("list").get("/api/v1/tasks"));
        JsonNode delete = auditOf(call("delete").delete("/api/v1/tasks/" + id));

        assertAction(get, "task.get", 200, id);
        assertThat(get.path("modelVersion").asString()).isEqualTo(model.modelVersion());
        assertAction(list, "task.list", 200, null);
        assertAction(delete, "task.delete", 204, id);
    }

    @Test
    void addingReferencesIsAuditedWithTheirDigests() throws Exception {
        String id = register();
        HttpResponse<byte[]> grown = call("grow").post("/api/v1/tasks/" + id + "/references", Multipart.form()
                .file("references", IMAGE_NAME, IMAGE).file("masks", MASK_NAME, MASK), null);
        assertEquals(200, grown.statusCode(), new String(grown.body()));

        JsonNode line = auditOf(grown);
        assertAction(line, "task.add-references", 200, id);
        assertThat(uploads(line)).containsExactly("references=" + sha256(IMAGE) + "/" + IMAGE.length,
                "masks=" + sha256(MASK) + "/" + MASK.length);
    }

    @Test
    void segmentationsAreAuditedWithTaskModelVersionAndTheQueryDigest() throws Exception {
        String id = register();
        byte[] query = withHeaderText(NiftiBytes.volume(20, 22, 18).blob().niiGz());
        for (String path : List.of("/api/v1/segmentations", "/api/v1/segmentations/statistics")) {
            HttpResponse<byte[]> segmented = call("segment").post(path, Multipart.form()
                    .file("image", "DOE_JOHN_MRN12345678_query.nii.gz", query).field("taskId", id)
                    .field("mode", "one-shot"), null);
            assertEquals(200, segmented.statusCode(), new String(segmented.body()));

            JsonNode line = auditOf(segmented);
            assertAction(line, path.endsWith("statistics") ? "segmentation.statistics" : "segmentation.create",
                    200, id);
            assertThat(line.path("modelVersion").asString()).isEqualTo(model.modelVersion());
            assertThat(uploads(line)).containsExactly("image=" + sha256(query) + "/" + query.length);
        }
    }

    @Test
    void theCatalogueIsAuditedWithTheModelVersion() throws Exception {
        assumeModelReady();
        JsonNode line = auditOf(call("catalogue").get("/api/v1/catalogue"));

        assertAction(line, "catalogue.get", 200, null);
        assertThat(line.path("modelVersion").asString()).isEqualTo(model.modelVersion());
    }

    @Test
    void refusedCallsAreAuditedWithTheirStatus() {
        String unknown = UUID.randomUUID().toString();
        byte[] tooLarge = new byte[(int) MAX_UPLOAD_BYTES + 1024];

        assertAction(auditOf(call("missing").get("/api/v1/tasks/" + unknown)), "task.get", 404, unknown);
        assertAction(auditOf(call("segment-missing").post("/api/v1/segmentations", Multipart.form()
                .file("image", IMAGE_NAME, IMAGE).field("taskId", unknown), null)),
                "segmentation.create", 404, unknown);
        JsonNode large = auditOf(call("large").post("/api/v1/tasks", Multipart.form().field("name", TASK_NAME)
                .file("references", IMAGE_NAME, tooLarge).file("masks", MASK_NAME, MASK), null));
        assertAction(large, "task.register", 413, null);
        assertThat(large.path("uploads").isEmpty()).isTrue();
        HttpResponse<byte[]> nowhere = call("no-such").get("/api/v1/no-such-thing");
        assertThat(nowhere.statusCode()).isGreaterThanOrEqualTo(400);
        assertAction(auditOf(nowhere), "unknown", nowhere.statusCode(), null);
    }

    @Test
    void aCallWithoutCredentialsIsAuditedWithTheStatusItGot() throws Exception {
        // plain java.net.http, not IrisClient: no credentials of any kind
        String requestId = "anonymous-" + UUID.randomUUID();
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/tasks"))
                        .header("X-Request-Id", requestId).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());

        JsonNode line = auditOf(response);
        assertAction(line, "task.list", response.statusCode(), null);
        if (response.statusCode() == 401) {
            assertThat(line.path("principal").asString()).isEqualTo("-");
            assertThat(line.path("tenant").asString()).isEqualTo("-");
        }
    }

    @Test
    void aTaskIdThatIsFreeTextIsNotLogged() {
        HttpResponse<byte[]> path = call("free-text-path").get("/api/v1/tasks/DOE%5EJOHN-MRN-12345678");
        HttpResponse<byte[]> form = call("free-text-form").post("/api/v1/segmentations", Multipart.form()
                .file("image", IMAGE_NAME, IMAGE).field("taskId", "DOE^JOHN MRN 12345678"), null);

        assertAction(auditOf(path), "task.get", 404, null);
        assertAction(auditOf(form), "segmentation.create", 404, null);
    }

    @Test
    void aSaneRequestIdIsEchoedAndAudited() {
        String given = "req-" + UUID.randomUUID() + ":1.a_b";
        HttpResponse<byte[]> response = client().withHeader("X-Request-Id", given).get("/api/v1/tasks");

        assertThat(response.headers().firstValue("X-Request-Id")).hasValue(given);
        assertThat(audit.json(given).path("action").asString()).isEqualTo("task.list");
    }

    @Test
    void aMissingOrUnsafeRequestIdIsReplacedByAGeneratedOne() {
        List<HttpResponse<byte[]>> responses = List.of(client().get("/api/v1/tasks"),
                client().withHeader("X-Request-Id", "DOE^JOHN 12345678").get("/api/v1/tasks"),
                client().withHeader("X-Request-Id", "x".repeat(RequestIds.MAX_LENGTH + 1)).get("/api/v1/tasks"));

        for (HttpResponse<byte[]> response : responses) {
            String echoed = response.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(UUID.fromString(echoed).toString()).isEqualTo(echoed);
            assertThat(audit.json(echoed).path("status").asInt()).isEqualTo(response.statusCode());
        }
    }

    @Test
    void linesLoggedWhileACallIsServedCarryItsRequestId() throws Exception {
        assumeModelReady();
        try (AuditCapture service = AuditCapture.attach("org.irisseg.task.TaskService")) {
            HttpResponse<byte[]> created = call("mdc").post("/api/v1/tasks", registration(), null);
            assertEquals(201, created.statusCode(), new String(created.body()));
            String requestId = created.headers().firstValue("X-Request-Id").orElseThrow();

            assertThat(service.events()).filteredOn(e -> e.getFormattedMessage().startsWith("Registered task"))
                    .isNotEmpty()
                    .allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("requestId", requestId));
        }
    }

    @Test
    void theCallerOfACallIsAudited() {
        String requestId = "caller-" + UUID.randomUUID();
        client().withHeader("X-Request-Id", requestId)
                .withHeader(TestCallerFilter.GIVEN, "audit-test-user@audit-test-tenant")
                .get("/api/v1/tasks");

        JsonNode line = audit.json(requestId);
        var caller = TestCallerFilter.seen(requestId).orElseThrow();
        assertThat(line.path("principal").asString()).isEqualTo(caller.principal());
        assertThat(line.path("tenant").asString()).isEqualTo(caller.tenant());
    }

    @Test
    void swaggerAndActuatorCallsAreNotAudited() throws Exception {
        String requestId = "docs-" + UUID.randomUUID();
        HttpResponse<byte[]> docs = client().withHeader("X-Request-Id", requestId).get("/v3/api-docs");
        HttpResponse<byte[]> health = client().withHeader("X-Request-Id", requestId).get("/actuator/health");
        String marker = "marker-" + UUID.randomUUID();
        auditOf(client().withHeader("X-Request-Id", marker).get("/api/v1/tasks"));

        assertThat(docs.headers().firstValue("X-Request-Id")).isEmpty();
        assertThat(health.headers().firstValue("X-Request-Id")).isEmpty();
        assertThat(audit.events()).noneMatch(e -> e.getFormattedMessage().contains(requestId));
    }

    /** Registers the identifier-laden task; returns its id. */
    private String register() throws InterruptedException {
        assumeModelReady();
        return client().registerTask(registration());
    }

    private static Multipart registration() {
        return Multipart.form().field("name", TASK_NAME).field("labels", LABELS)
                .file("references", IMAGE_NAME, IMAGE).file("masks", MASK_NAME, MASK);
    }

    /** A client that sends a fresh request id, named after the step for the failure messages. */
    private IrisClient call(String step) {
        return client().withHeader("X-Request-Id", step + "-" + UUID.randomUUID());
    }

    /** The audit line of a response's call, checked to hold none of the identifiers and to be one line. */
    private JsonNode auditOf(HttpResponse<byte[]> response) {
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        String line = audit.line(requestId);
        assertThat(line).doesNotContain("\n", "\r");
        for (String identifier : IDENTIFIERS) {
            assertThat(line.toUpperCase(Locale.ROOT)).as("audit line %s", line).doesNotContain(identifier);
        }
        JsonNode json = audit.json(requestId);
        assertThat(json.path("status").asInt()).isEqualTo(response.statusCode());
        assertThat(json.path("durationMs").asLong()).isNotNegative();
        assertThat(json.path("time").asString()).endsWith("Z");
        return json;
    }

    private static void assertAction(JsonNode line, String action, int status, String taskId) {
        assertThat(line.path("action").asString()).as(line.toString()).isEqualTo(action);
        assertThat(line.path("status").asInt()).as(line.toString()).isEqualTo(status);
        if (taskId == null) {
            assertThat(line.path("taskId").isNull()).as(line.toString()).isTrue();
        } else {
            assertThat(line.path("taskId").asString()).as(line.toString()).isEqualTo(taskId);
        }
    }

    private static List<String> uploads(JsonNode line) {
        List<String> out = new ArrayList<>();
        for (JsonNode upload : line.path("uploads")) {
            out.add(upload.path("part").asString() + "=" + upload.path("sha256").asString() + "/"
                    + upload.path("bytes").asLong());
        }
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return Sha256.of(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A NIfTI-1 file (.nii, or .nii.gz when gzip-compressed) with the fake patient in every header text
     * field (db_name, descrip, aux_file, intent_name) and in a comment extension.
     */
    static byte[] withHeaderText(byte[] file) {
        boolean gz = file.length > 1 && (file[0] & 0xff) == 0x1f && (file[1] & 0xff) == 0x8b;
        byte[] nii = gz ? gunzip(file) : file;
        byte[] text = "DOE^JOHN MRN 12345678 ACC-998877".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer extension = ByteBuffer.allocate(8 + 32).order(ByteOrder.LITTLE_ENDIAN);
        extension.putInt(40).putInt(6).put(text, 0, Math.min(32, text.length));
        ByteBuffer out = ByteBuffer.allocate(nii.length + 40).order(ByteOrder.LITTLE_ENDIAN);
        out.put(nii, 0, 348).put(new byte[] {1, 0, 0, 0}).put(extension.array()).put(nii, 352, nii.length - 352);
        out.putFloat(108, 352 + 40);
        put(out, 4, 18, "MRN12345678");
        put(out, 148, 80, "DOE^JOHN MRN 12345678");
        put(out, 228, 24, "ACC-998877");
        put(out, 328, 16, "DOE^JOHN");
        return gz ? org.irisseg.nifti.NiftiFixtures.gzip(out.array()) : out.array();
    }

    private static void put(ByteBuffer buffer, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        buffer.put(offset, bytes, 0, Math.min(length, bytes.length));
    }

    private static byte[] gunzip(byte[] gz) {
        try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
