package org.irisseg.support;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.irisseg.security.Caller;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Test-only servlet filter (component-scanned from the test classpath, after authentication): lets a test
 * see which {@link Caller} an API call ended with, keyed by the call's {@code X-Request-Id}. When
 * authentication recorded none, {@value #GIVEN} ({@code principal@tenant}) supplies one, so that what
 * reads the caller can be tested with or without authentication in front; a caller recorded by
 * authentication is never replaced.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
public class TestCallerFilter extends OncePerRequestFilter {

    /** Header with the caller to record when authentication recorded none: {@code principal@tenant}. */
    public static final String GIVEN = "X-Test-Caller";

    private static final Map<String, Caller> SEEN = new ConcurrentHashMap<>();

    /** The caller the call with this request id ended with, once it has ended. */
    public static Optional<Caller> seen(String requestId) {
        return Optional.ofNullable(SEEN.get(requestId));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(GIVEN);
        if (Caller.of(request).isEmpty() && given != null && given.contains("@")) {
            String[] parts = given.split("@", 2);
            request.setAttribute(Caller.REQUEST_ATTRIBUTE, new Caller(parts[0], parts[1], Set.of(Caller.READ)));
        }
        try {
            chain.doFilter(request, response);
        } finally {
            String requestId = response.getHeader("X-Request-Id");
            if (requestId != null) {
                Caller.of(request).ifPresent(caller -> SEEN.put(requestId, caller));
            }
        }
    }
}
