package org.irisseg.security;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.TestIssuer;
import org.junit.jupiter.api.Test;

/**
 * Browsers: the shared test service allows origin {@value IrisIntegrationTest#ALLOWED_ORIGIN} only. A page
 * elsewhere gets 403 for its preflight and for a simple multipart POST, which changes nothing.
 */
class CorsTest extends IrisIntegrationTest {

    private static final String EVIL = "http://evil.example";

    /** A tenant of its own, so counting its tasks is not disturbed by other tests. */
    private final String tenant = "cors-" + UUID.randomUUID();

    private IrisClient caller() {
        return IrisClient.withToken(port, TestIssuer.token("browser", tenant, Caller.READ + " " + Caller.WRITE));
    }

    private static Multipart ball() {
        return Multipart.form().field("name", "from a browser")
                .file("references", "ball.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                .file("masks", "mask.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii());
    }

    private HttpResponse<byte[]> preflight(String origin, String method, String headers) {
        IrisClient anonymous = IrisClient.anonymous(port);
        return anonymous.send(anonymous.request("/api/v1/tasks").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", headers).build());
    }

    private long tasks() {
        HttpResponse<byte[]> list = caller().get("/api/v1/tasks");
        assertEquals(200, list.statusCode(), new String(list.body()));
        return Long.parseLong(list.headers().firstValue("X-Total-Count").orElseThrow());
    }

    @Test
    void aPreflightFromAnUnlistedOriginIsRefused() {
        HttpResponse<byte[]> response = preflight(EVIL, "POST", "x-api-key");
        assertProblem(response, 403, "origin-not-allowed");
        assertTrue(response.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    }

    @Test
    void aSimpleMultipartPostFromAnUnlistedOriginIsRefusedAndCreatesNothing() {
        long before = tasks();
        HttpResponse<byte[]> response = caller().withHeader("Origin", EVIL).post("/api/v1/tasks", ball(), null);
        assertProblem(response, 403, "origin-not-allowed");
        assertEquals(before, tasks());
        assertProblem(IrisClient.anonymous(port).withHeader("Origin", EVIL).post("/api/v1/tasks", ball(), null), 403,
                "origin-not-allowed");
    }

    @Test
    void aPreflightFromTheConfiguredOriginIsAllowed() {
        HttpResponse<byte[]> response = preflight(ALLOWED_ORIGIN, "POST", "x-api-key, authorization");
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertEquals(ALLOWED_ORIGIN, response.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        String allowed = response.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase();
        assertTrue(allowed.contains("x-api-key") && allowed.contains("authorization"), allowed);
    }

    @Test
    void aPreflightFromTheConfiguredOriginForAnotherMethodIsRefused() {
        assertProblem(preflight(ALLOWED_ORIGIN, "PUT", "x-api-key"), 403, "origin-not-allowed");
    }

    @Test
    void aPostFromTheConfiguredOriginIsServedWithTheCorsHeaders() throws Exception {
        assumeModelReady();
        long before = tasks();
        HttpResponse<byte[]> response = caller().withHeader("Origin", ALLOWED_ORIGIN).post("/api/v1/tasks", ball(), null);
        assertEquals(201, response.statusCode(), new String(response.body()));
        assertEquals(ALLOWED_ORIGIN, response.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(response.headers().firstValue("Access-Control-Expose-Headers").orElse("").contains("Location"));
        assertEquals(before + 1, tasks());
    }

    @Test
    void aSameOriginRequestIsNotCrossOrigin() {
        HttpResponse<byte[]> response = client().withHeader("Origin", "http://localhost:" + port).get("/api/v1/tasks");
        assertEquals(200, response.statusCode());
    }
}
