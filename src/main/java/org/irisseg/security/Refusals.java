package org.irisseg.security;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.irisseg.error.ProblemType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The answers of refused calls, as problem+json: 401 {@code unauthenticated} with one
 * {@code WWW-Authenticate} challenge per accepted scheme (RFC 6750 error parameters for a bad bearer token),
 * 403 {@code forbidden} naming the missing scope or tenant claim, 503 {@code issuer-unavailable} (with
 * Retry-After) when a token cannot be checked because the issuer cannot be reached.
 */
final class Refusals implements AuthenticationEntryPoint, AccessDeniedHandler, AuthenticationFailureHandler {

    static final String REALM = "iris";
    /** Retry-After while the token issuer cannot be reached. */
    static final Duration ISSUER_RETRY = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(Refusals.class);

    private final boolean bearerAccepted;
    private final String tenantClaim;

    Refusals(boolean bearerAccepted, String tenantClaim) {
        this.bearerAccepted = bearerAccepted;
        this.tenantClaim = tenantClaim;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        List<String> challenges = new ArrayList<>();
        challenges.add("ApiKey realm=\"" + REALM + "\", header=\"" + ApiKeys.HEADER + "\"");
        String detail;
        if (failure instanceof OAuth2AuthenticationException oauth && oauth.getError() instanceof BearerTokenError error) {
            String description = error.getDescription() == null ? "" : error.getDescription().replace('"', '\'');
            challenges.add("Bearer realm=\"" + REALM + "\", error=\"" + error.getErrorCode() + "\", error_description=\""
                    + description + "\"");
            detail = "The bearer token is not valid: " + description;
        } else {
            if (bearerAccepted) {
                challenges.add("Bearer realm=\"" + REALM + "\"");
            }
            detail = request.getHeader(ApiKeys.HEADER) != null ? "The API key is not valid"
                    : bearerAccepted ? "This call needs an API key (header " + ApiKeys.HEADER + ") or a bearer token"
                    : "This call needs an API key (header " + ApiKeys.HEADER + ")";
        }
        SecurityProblems.write(request, response, ProblemType.UNAUTHENTICATED, detail, challenges);
    }

    /** A bearer token that could not be checked (issuer unreachable) is 503; any other failure 401. */
    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
            AuthenticationException failure) throws IOException {
        if (failure instanceof AuthenticationServiceException) {
            log.warn("Bearer token not checked: {}", failure.getMessage());
            SecurityContextHolder.clearContext();
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(ISSUER_RETRY.toSeconds()));
            SecurityProblems.write(request, response, ProblemType.ISSUER_UNAVAILABLE, "The token issuer cannot be"
                    + " reached to check the bearer token; try again later", List.of());
            return;
        }
        commence(request, response, failure);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        String detail;
        if (authentication instanceof JwtAuthenticationToken) {
            detail = "The token names no tenant: it needs a '" + tenantClaim + "' claim of 1-64 letters, digits,"
                    + " '.', '-' or '_'";
        } else {
            detail = "This call needs the scope " + ApiAuthorization.requiredScope(request)
                    + ", which the credentials do not grant";
        }
        SecurityProblems.write(request, response, ProblemType.FORBIDDEN, detail, List.of());
    }
}
