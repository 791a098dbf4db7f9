package org.irisseg.security;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.irisseg.IrisApplication;
import org.irisseg.support.IrisClient;
import org.irisseg.support.TestModels;
import org.irisseg.support.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;

/**
 * {@code iris.security.enabled=false} (a local trial) on a store holding a task written before tasks had a
 * tenant: every call runs as {@code anonymous} of tenant {@code default}, which owns that task; start-up
 * says so loudly. The same service runs with {@code iris.api-docs.enabled=false}.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityDisabledTest {

    private static final String LEGACY_ID = "0f0e0d0c-0b0a-4908-8706-050403020100";
    private static ConfigurableApplicationContext service;
    private static String startUpLog;

    /** A task file of the format written before tenants: no tenant field. */
    private static void writeLegacyTask(Path store) throws Exception {
        Files.createDirectories(store.resolve("tasks"));
        Files.writeString(store.resolve("tasks").resolve(LEGACY_ID + ".json"), """
                {"format":1,"id":"%s","name":"legacy","modelVersion":"iris-small@old","createdAt":"2025-01-01T00:00:00Z",
                 "classes":[{"label":1,"name":"ball"}],
                 "references":[{"index":0,"filename":"ref.nii","imageSha256":"%s","maskSha256":"%s","shape":[8,8,8],
                   "modelVersion":"iris-small@old","embeddings":{"1":"AACAPwAAAEA="}}]}
                """.formatted(LEGACY_ID, "a".repeat(64), "b".repeat(64)));
    }

    @BeforeAll
    static void start(CapturedOutput output) throws Exception {
        Path store = Files.createTempDirectory("iris-security-disabled");
        writeLegacyTask(store);
        service = new SpringApplicationBuilder(IrisApplication.class).run(TestServices.args("--server.port=0",
                "--iris.store.dir=" + store, "--iris.model.dir=" + TestModels.withoutModules(),
                "--spring.jmx.enabled=false", "--iris.security.enabled=false",
                "--iris.security.api-keys=" + IrisClient.API_KEYS, "--iris.api-docs.enabled=false"));
        startUpLog = output.getAll();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void startUpWarnsLoudlyThatNobodyIsChecked() {
        assertTrue(startUpLog.contains("WARN") && startUpLog.contains("SECURITY IS DISABLED"), startUpLog);
        assertTrue(startUpLog.contains("2 configured API key(s) are ignored"), startUpLog);
    }

    @Test
    void everyCallRunsAsTheDefaultTenantWithoutCredentials() {
        IrisClient anonymous = IrisClient.anonymous(TestServices.port(service));
        JsonNode tasks = IrisClient.json(anonymous.get("/api/v1/tasks"));
        assertEquals(1, tasks.size(), tasks.toString());
        assertEquals(LEGACY_ID, tasks.get(0).path("id").asString(), "a task stored before tenants is the default tenant's");
        assertEquals("legacy", IrisClient.json(anonymous.get("/api/v1/tasks/" + LEGACY_ID)).path("name").asString());
    }

    @Test
    void credentialsChangeNothingWhileDisabled() {
        JsonNode tasks = IrisClient.json(new IrisClient(TestServices.port(service)).get("/api/v1/tasks"));
        assertEquals(LEGACY_ID, tasks.get(0).path("id").asString(), "the test key's tenant is not used");
    }

    @Test
    void theApiDocsSettingTurnsOffTheDocumentAndSwaggerUi() {
        IrisClient anonymous = IrisClient.anonymous(TestServices.port(service));
        assertProblem(anonymous.get("/v3/api-docs"), 404, "not-found");
        assertProblem(anonymous.get("/swagger-ui/index.html"), 404, "not-found");
        assertEquals(404, anonymous.get("/swagger-ui.html").statusCode());
    }
}
