package org.irisseg.security;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Actuator lives on the management port only: nothing of it on the API port; there the probes, info and
 * Prometheus answer without credentials, health details only with them, and info has no JVM section.
 */
class ManagementPortTest extends IrisIntegrationTest {

    @Test
    void actuatorIsNotOnTheApiPort() {
        assertNotEquals(port, managementPort);
        for (String path : new String[] {"/actuator", "/actuator/health", "/actuator/health/liveness",
                "/actuator/info", "/actuator/prometheus"}) {
            assertProblem(client().get(path), 404, "not-found");
            assertNotEquals(200, IrisClient.anonymous(port).get(path).statusCode(), path);
        }
    }

    @Test
    void theProbesAnswerWithoutCredentialsOnTheManagementPort() {
        IrisClient anonymous = IrisClient.anonymous(managementPort);
        assertEquals("UP", IrisClient.json(anonymous.get("/actuator/health/liveness")).path("status").asString());
        int readiness = anonymous.get("/actuator/health/readiness").statusCode();
        assertTrue(readiness == 200 || readiness == 503, "readiness " + readiness);
    }

    @Test
    void healthDetailsNeedCredentials() {
        JsonNode open = IrisClient.json(IrisClient.anonymous(managementPort).get("/actuator/health"));
        assertFalse(open.has("components"), open.toString());
        JsonNode authorised = IrisClient.json(managementClient().get("/actuator/health"));
        assertTrue(authorised.path("components").has("diskSpace"), authorised.toString());
        JsonNode wrongKey = IrisClient.json(IrisClient.withKey(managementPort, "wrong").get("/actuator/health"));
        assertEquals(401, wrongKey.path("status").asInt(), wrongKey.toString());
    }

    @Test
    void infoHasTheModelButNoJvm() {
        JsonNode info = IrisClient.json(IrisClient.anonymous(managementPort).get("/actuator/info"));
        assertFalse(info.has("java"), info.toString());
        assertFalse(info.has("jvm"), info.toString());
    }

    @Test
    void prometheusIsScrapedWithoutCredentialsOnTheManagementPort() {
        var metrics = IrisClient.anonymous(managementPort).get("/actuator/prometheus");
        assertEquals(200, metrics.statusCode());
        assertTrue(new String(metrics.body()).contains("http_server_requests_seconds"));
    }
}
