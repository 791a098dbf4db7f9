package org.irisseg.security;

import java.util.Optional;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who made an API call: the authenticated principal, the tenant whose tasks it may see, and what it may do.
 * Authentication puts one on every API request ({@link #REQUEST_ATTRIBUTE}); task operations and the audit
 * log read it from there.
 *
 * @param principal the subject of the token, or the API key's id; never a secret
 * @param tenant    the tenant every task of this call belongs to
 * @param scopes    {@link #READ} to list, read and segment; {@link #WRITE} to register, grow and delete tasks
 */
public record Caller(String principal, String tenant, Set<String> scopes) {

    /** Scope to list and read tasks and to segment with them. */
    public static final String READ = "iris.read";
    /** Scope to register, grow and delete tasks. */
    public static final String WRITE = "iris.write";
    /** Name of the request attribute that holds the caller of an API request. */
    public static final String REQUEST_ATTRIBUTE = Caller.class.getName();

    public Caller {
        if (principal == null || principal.isBlank() || tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("A caller needs a principal and a tenant");
        }
        scopes = Set.copyOf(scopes);
    }

    public boolean may(String scope) {
        return scopes.contains(scope);
    }

    /** The caller authentication recorded on this request, if any. */
    public static Optional<Caller> of(HttpServletRequest request) {
        return request.getAttribute(REQUEST_ATTRIBUTE) instanceof Caller caller ? Optional.of(caller) : Optional.empty();
    }
}
