package org.irisseg.audit;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.irisseg.security.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Gives every API call a request id (echoed in {@value #REQUEST_ID_HEADER} and put in the logging MDC as
 * {@value #MDC_KEY}) and, once its status is known, writes its audit line to the logger {@value #LOGGER}.
 * Registered outside authentication, so refused calls are audited too.
 */
public class AuditFilter extends OncePerRequestFilter {

    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    /** The audit logger: one JSON object per API call, nothing else. */
    public static final String LOGGER = "iris.audit";

    private static final Logger audit = LoggerFactory.getLogger(LOGGER);

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Instant time = Instant.now();
        long start = System.nanoTime();
        String requestId = RequestIds.accept(request.getHeader(REQUEST_ID_HEADER));
        response.setHeader(REQUEST_ID_HEADER, requestId);
        MDC.put(MDC_KEY, requestId);
        AuditActions.Match match = AuditActions.of(request.getMethod(),
                request.getRequestURI().substring(request.getContextPath().length()));
        AuditFacts facts = null;
        if (audit.isInfoEnabled()) {
            facts = new AuditFacts();
            facts.setTaskId(match.pathTaskId());
            request.setAttribute(AuditFacts.ATTRIBUTE, facts);
        }
        boolean failed = true;
        try {
            chain.doFilter(request, response);
            failed = false;
        } finally {
            try {
                if (facts != null) {
                    // an exception that escaped the application is answered 500 by the container
                    int status = failed && response.getStatus() < 400 ? 500 : response.getStatus();
                    Caller caller = Caller.of(request).orElse(null);
                    audit.info(new AuditLine(time, requestId,
                            caller == null ? AuditLine.NONE : caller.principal(),
                            caller == null ? AuditLine.NONE : caller.tenant(),
                            match.action(), request.getMethod(), facts.taskId(), facts.modelVersion(),
                            facts.uploads(), status,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).toJson());
                }
            } finally {
                MDC.remove(MDC_KEY);
            }
        }
    }
}
