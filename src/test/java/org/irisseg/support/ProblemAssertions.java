package org.irisseg.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

import tools.jackson.databind.JsonNode;

/** Checks an RFC 9457 problem response: status, content type, stable type URI, no internals. */
public final class ProblemAssertions {

    public static final String BASE = "https://irisseg.org/problems/";

    private ProblemAssertions() {
    }

    /** @param slug expected last part of the type URI, or null to accept any Iris problem type */
    public static JsonNode assertProblem(HttpResponse<byte[]> response, int status, String slug) {
        String body = new String(response.body());
        assertEquals(status, response.statusCode(), body);
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                "content type of " + body);
        JsonNode problem = IrisClient.json(response);
        String type = problem.path("type").asString();
        assertTrue(type.startsWith(BASE), type);
        if (slug != null) {
            assertEquals(BASE + slug, type, body);
        }
        assertEquals(status, problem.path("status").asInt());
        assertFalse(problem.path("title").asString().isBlank());
        assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains(".java:"),
                "no internals in " + body);
        return problem;
    }
}
