package org.irisseg.security;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.irisseg.IrisApplication;
import org.irisseg.support.IrisClient;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
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

/**
 * The quick start: security on (the default) with no key and no issuer configured. Start-up logs one
 * generated development key of tenant {@code dev} with how to use it; that key works, nothing else does.
 * CORS is closed by default.
 */
@ExtendWith(OutputCaptureExtension.class)
class DevelopmentKeyTest {

    private static final Pattern KEY = Pattern.compile("X-API-Key: (dev-[A-Za-z0-9_-]{20,})");
    private static ConfigurableApplicationContext service;
    private static String startUpLog;

    @BeforeAll
    static void start(CapturedOutput output) throws Exception {
        service = new SpringApplicationBuilder(IrisApplication.class).run(TestServices.args("--server.port=0",
                "--iris.store.dir=" + Files.createTempDirectory("iris-dev-key"),
                "--iris.model.dir=" + TestModels.withoutModules(), "--spring.jmx.enabled=false",
                "--iris.security.enabled=true"));
        startUpLog = output.getAll();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static String loggedKey() {
        Matcher m = KEY.matcher(startUpLog);
        assertTrue(m.find(), "no development key in the start-up log");
        return m.group(1);
    }

    @Test
    void startUpLogsOneGeneratedKeyWithHowToUseIt() {
        String key = loggedKey();
        assertTrue(startUpLog.contains("WARN"), startUpLog);
        assertTrue(startUpLog.contains("curl -H 'X-API-Key: " + key + "'"), startUpLog);
        assertEquals(1, KEY.matcher(startUpLog).results().map(r -> r.group(1)).distinct().count());
    }

    @Test
    void theLoggedKeyIsAcceptedForTenantDev() {
        int port = TestServices.port(service);
        assertEquals(200, IrisClient.withKey(port, loggedKey()).get("/api/v1/tasks").statusCode());
        assertProblem(new IrisClient(port).get("/api/v1/tasks"), 401, "unauthenticated");
        assertProblem(IrisClient.anonymous(port).get("/api/v1/tasks"), 401, "unauthenticated");
    }

    @Test
    void withoutAnIssuerNoBearerSchemeIsOffered() {
        var response = IrisClient.anonymous(TestServices.port(service)).get("/api/v1/tasks");
        assertTrue(response.headers().allValues("WWW-Authenticate").stream().noneMatch(c -> c.startsWith("Bearer")));
    }

    @Test
    void corsIsClosedByDefault() {
        int port = TestServices.port(service);
        IrisClient browser = IrisClient.withKey(port, loggedKey()).withHeader("Origin", "https://viewer.example.org");
        assertProblem(browser.post("/api/v1/tasks", Multipart.form().field("name", "x")
                .file("references", "ball.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                .file("masks", "mask.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii()), null), 403,
                "origin-not-allowed");
        assertEquals("0", IrisClient.withKey(port, loggedKey()).get("/api/v1/tasks").headers()
                .firstValue("X-Total-Count").orElse(""));
    }
}
