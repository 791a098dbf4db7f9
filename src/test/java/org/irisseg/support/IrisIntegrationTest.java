package org.irisseg.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import org.irisseg.model.ModelRuntime;
import org.irisseg.util.Sha256;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of every test that talks to the running service over real HTTP. All subclasses share one Spring
 * context (same configuration, so the test framework caches it): one model load, one store directory
 * for the whole run. Two predictor sets so concurrency is exercised; an 8 MB upload limit and a
 * 256 MiB memory budget so the too-large paths are cheap to hit. Authentication is on as in production:
 * the test API keys ({@link IrisClient#API_KEYS}), which {@link #client()} sends, and bearer tokens of the
 * {@link TestIssuer} for audience {@value TestIssuer#AUDIENCE}; browser origin {@value #ALLOWED_ORIGIN} is
 * allowed; up to {@link #MAX_MEMBERS} ensemble members are compared for the quality checks (off by
 * default). Actuator is on its own port ({@link #managementClient()}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IrisIntegrationTest {

    /** Upload limit of the shared test context. */
    public static final long MAX_UPLOAD_BYTES = 8L * 1024 * 1024;

    /** Memory budget of the shared test context ({@code iris.admission.max-bytes}). */
    public static final long MEMORY_BUDGET_BYTES = 256L * 1024 * 1024;

    /**
     * Ensemble members the shared test context compares for the agreement ({@code iris.quality.max-members},
     * off in the service by default); a hand-run benchmark sets {@code -Diris.test.max-members=0}.
     */
    public static final int MAX_MEMBERS = Integer.getInteger("iris.test.max-members", 5);

    /**
     * Inference sessions of the shared test context ({@code iris.inference.max-concurrent}, 1 in the service by
     * default): two, so that parallel requests run in parallel; a hand-run benchmark sets
     * {@code -Diris.test.max-concurrent=1}.
     */
    public static final int MAX_CONCURRENT = Integer.getInteger("iris.test.max-concurrent", 2);

    /** The one browser origin the shared test context allows ({@code iris.cors.allowed-origins}). */
    public static final String ALLOWED_ORIGIN = "https://viewer.example.org";

    protected static final Path STORE = temporaryStore();

    @LocalServerPort
    protected int port;

    @LocalManagementPort
    protected int managementPort;

    @Autowired
    protected ModelRuntime model;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("iris.store.dir", STORE::toString);
        registry.add("iris.model.dir", () -> TestPaths.modelDir().toString());
        registry.add("iris.inference.max-concurrent", () -> String.valueOf(MAX_CONCURRENT));
        registry.add("iris.inference.queue-capacity", () -> "16");
        registry.add("spring.servlet.multipart.max-file-size", () -> MAX_UPLOAD_BYTES + "B");
        registry.add("spring.servlet.multipart.max-request-size", () -> (4 * MAX_UPLOAD_BYTES) + "B");
        registry.add("iris.admission.max-bytes", () -> String.valueOf(MEMORY_BUDGET_BYTES));
        registry.add("iris.security.api-keys", () -> IrisClient.API_KEYS);
        registry.add("iris.security.api-key-hashes", () -> IrisClient.TENANT + ":" + sha256(IrisClient.READ_ONLY_API_KEY)
                + ":iris.read");
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", TestIssuer::issuerUri);
        registry.add("iris.security.jwt.audience", () -> TestIssuer.AUDIENCE);
        registry.add("iris.cors.allowed-origins", () -> ALLOWED_ORIGIN);
        registry.add("iris.quality.max-members", () -> String.valueOf(MAX_MEMBERS));
    }

    /** A client of the API port with the test key of tenant {@value IrisClient#TENANT}. */
    protected IrisClient client() {
        return new IrisClient(port);
    }

    /** A client of the management (actuator) port, with the test key. */
    protected IrisClient managementClient() {
        return new IrisClient(managementPort);
    }

    /** Skips without a model directory; fails when a present model does not load. */
    protected void assumeModelReady() throws InterruptedException {
        TestPaths.assumeModel();
        boolean ready = model.awaitReady(Duration.ofMinutes(5));
        assertTrue(ready, "the model in " + TestPaths.modelDir() + " did not load: " + model.failure());
    }

    /**
     * Registers a hippocampus task over HTTP from these reference subjects; skips (or fails, see
     * {@link TestPaths#dataRequired()}) without the data, fails when the model does not load.
     */
    protected String registerHippocampus(String name, List<String> subjects) throws InterruptedException {
        TestPaths.assumeHippocampus();
        assumeModelReady();
        return client().registerTask(Hippocampus.taskForm(name, subjects));
    }

    /** A key's SHA-256 as {@code iris.security.api-key-hashes} wants it: lower-case hex. */
    public static String sha256(String key) {
        return HexFormat.of().formatHex(Sha256.newDigest().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    private static Path temporaryStore() {
        try {
            Path dir = Files.createTempDirectory("iris-it-store");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
