package org.irisseg.security;

import java.io.IOException;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Puts the authenticated {@link Caller} on the request ({@link Caller#REQUEST_ATTRIBUTE}), before
 * authorisation, so that task operations and the audit log find it, refused calls included.
 */
final class CallerRequestFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof CallerAuthentication auth) {
            request.setAttribute(Caller.REQUEST_ATTRIBUTE, auth.caller());
        }
        chain.doFilter(request, response);
    }
}
