package org.irisseg.security;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;

import org.irisseg.IrisApplication;
import org.irisseg.support.IrisClient;
import org.irisseg.support.TestIssuer;
import org.irisseg.support.TestModels;
import org.irisseg.support.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A service whose token issuer does not answer (nothing listens at its address): it starts all the same,
 * bearer calls are 503 issuer-unavailable with Retry-After (never 500), and API keys keep working.
 */
class UnreachableIssuerTest {

    private static ConfigurableApplicationContext service;

    @BeforeAll
    static void start() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        service = new SpringApplicationBuilder(IrisApplication.class).run(TestServices.args("--server.port=0",
                "--iris.store.dir=" + Files.createTempDirectory("iris-no-issuer"),
                "--iris.model.dir=" + TestModels.withoutModules(), "--spring.jmx.enabled=false",
                "--spring.security.oauth2.resourceserver.jwt.issuer-uri=http://127.0.0.1:" + closed + "/realms/iris"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aBearerCallIsIssuerUnavailableWithRetryAfter() {
        HttpResponse<byte[]> response = IrisClient.withToken(TestServices.port(service),
                TestIssuer.token("kim", "t1", Caller.READ)).get("/api/v1/tasks");
        assertProblem(response, 503, "issuer-unavailable");
        assertEquals("5", response.headers().firstValue("Retry-After").orElse(""));
    }

    @Test
    void apiKeysKeepWorking() {
        assertEquals(200, new IrisClient(TestServices.port(service)).get("/api/v1/tasks").statusCode());
    }
}
