package org.irisseg.security;

import java.io.IOException;
import java.util.Optional;

import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Authenticates a request that carries {@value ApiKeys#HEADER}: a known key makes its {@link Caller} the
 * authentication; an unknown one is refused at once (401), never passed on as anonymous.
 */
final class ApiKeyFilter extends OncePerRequestFilter {

    private final ApiKeys keys;
    private final AuthenticationEntryPoint entryPoint;

    ApiKeyFilter(ApiKeys keys, AuthenticationEntryPoint entryPoint) {
        this.keys = keys;
        this.entryPoint = entryPoint;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(ApiKeys.HEADER);
        if (presented == null) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Caller> caller = keys.authenticate(presented.strip());
        if (caller.isEmpty()) {
            SecurityContextHolder.clearContext();
            entryPoint.commence(request, response, new BadCredentialsException("The API key is not valid"));
            return;
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new CallerAuthentication(caller.get()));
        SecurityContextHolder.setContext(context);
        chain.doFilter(request, response);
    }
}
