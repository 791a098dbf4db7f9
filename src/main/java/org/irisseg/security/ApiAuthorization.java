package org.irisseg.security;

import java.util.Set;
import java.util.function.Supplier;

import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who may call what under {@code /api}: registering, growing and deleting tasks need {@link Caller#WRITE};
 * everything else (listing and reading tasks, the catalogue, every segmentation) needs
 * {@link Caller#READ}. A call needs a {@link Caller}, which a token without a tenant does not give.
 */
final class ApiAuthorization implements AuthorizationManager<RequestAuthorizationContext> {

    private static final Set<String> CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication,
            RequestAuthorizationContext context) {
        boolean granted = authentication.get() instanceof CallerAuthentication auth
                && auth.caller().may(requiredScope(context.getRequest()));
        return new AuthorizationDecision(granted);
    }

    /** The scope a call of this method on this path needs. */
    static String requiredScope(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean tasks = path.equals("/api/v1/tasks") || path.startsWith("/api/v1/tasks/");
        return tasks && CHANGING.contains(request.getMethod()) ? Caller.WRITE : Caller.READ;
    }
}
