package org.irisseg.security;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.irisseg.error.Messages;
import org.irisseg.error.ProblemType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Which browser origins may call the service ({@code iris.cors.allowed-origins}). A cross-origin request,
 * preflight or not, from an origin that is not listed (every origin when none is) is answered 403
 * {@code origin-not-allowed} before anything else runs, so a page elsewhere cannot make the service
 * change anything; a listed origin gets the CORS headers (credentials headers allowed, Iris response
 * headers exposed) and its preflight is answered here. Same-origin requests (Swagger UI) are not CORS.
 */
final class CorsPolicy extends OncePerRequestFilter {

    static final List<String> ALLOWED_METHODS = List.of("GET", "POST", "DELETE");
    static final List<String> ALLOWED_HEADERS = List.of(HttpHeaders.AUTHORIZATION, ApiKeys.HEADER,
            HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT, "X-Request-Id");
    static final List<String> EXPOSED_HEADERS = List.of(HttpHeaders.LOCATION, HttpHeaders.LINK, "X-Total-Count",
            HttpHeaders.RETRY_AFTER, HttpHeaders.CONTENT_DISPOSITION, "Server-Timing", "X-Request-Id",
            "Iris-Volumes-mL", "Iris-Quality", "Iris-Task-Id", "Iris-Mode", "Iris-Model-Version");

    private final CorsConfiguration configuration = new CorsConfiguration();
    private final QuietCorsProcessor processor = new QuietCorsProcessor();

    CorsPolicy(List<String> allowedOrigins) {
        configuration.setAllowedOriginPatterns(allowedOrigins.stream().map(String::strip)
                .filter(o -> !o.isEmpty()).toList());
        configuration.setAllowedMethods(ALLOWED_METHODS);
        configuration.setAllowedHeaders(ALLOWED_HEADERS);
        configuration.setExposedHeaders(EXPOSED_HEADERS);
        configuration.setAllowCredentials(false);
        configuration.setMaxAge(Duration.ofHours(1));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!CorsUtils.isCorsRequest(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (!processor.process(configuration, request, response)) {
            String origin = Messages.printable(request.getHeader(HttpHeaders.ORIGIN));
            SecurityProblems.write(request, response, ProblemType.ORIGIN_NOT_ALLOWED, "Requests from origin '"
                    + origin + "' are not allowed (iris.cors.allowed-origins), or this method or header is not",
                    List.of());
            return;
        }
        if (CorsUtils.isPreFlightRequest(request)) {
            response.setStatus(HttpServletResponse.SC_OK);
            return;
        }
        chain.doFilter(request, response);
    }

    /** The processor's decision without its plain-text refusal: this filter writes the problem. */
    private static final class QuietCorsProcessor extends DefaultCorsProcessor {

        boolean process(CorsConfiguration configuration, HttpServletRequest request, HttpServletResponse response)
                throws IOException {
            return processRequest(configuration, request, response);
        }

        @Override
        protected void rejectRequest(ServerHttpResponse response) {
            // written by CorsPolicy
        }
    }
}
