package org.irisseg.security;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.irisseg.error.ProblemType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The answers of refused calls, as problem+json: 401 {@code unauthenticated} with one
 * {@code WWW-Authenticate} challenge per accepted scheme (RFC 6750 error parameters for a bad bearer token),
 * 403 {@code forbidden} naming the missing scope or tenant claim.
 */
final class Refusals implements AuthenticationEntryPoint, AccessDeniedHandler {

    static final String REALM = "iris";

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
