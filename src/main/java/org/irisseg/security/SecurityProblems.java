package org.irisseg.security;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.irisseg.error.ProblemType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the refusals of the security filters (401, 403, refused origins) as the same RFC 9457
 * {@code application/problem+json} that {@code api.ProblemHandler} gives every other error: type, title,
 * status, detail and instance (the request path).
 */
final class SecurityProblems {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SecurityProblems() {
    }

    static void write(HttpServletRequest request, HttpServletResponse response, ProblemType type, String detail,
            List<String> challenges) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(type.status());
        challenges.forEach(c -> response.addHeader(HttpHeaders.WWW_AUTHENTICATE, c));
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", type.uri().toString());
        problem.put("title", type.title());
        problem.put("status", type.status());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
        response.flushBuffer();
    }
}
