package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** Overload answers carry Retry-After in whole seconds; others do not. */
class ProblemHandlerTest {

    private final ProblemHandler handler = new ProblemHandler();

    @Test
    void overloadCarriesRetryAfter() {
        ResponseEntity<ProblemDetail> response = handler.handleIris(
                new IrisException(ProblemType.OVERLOADED, "busy", Duration.ofMillis(1500)));
        assertEquals(429, response.getStatusCode().value());
        assertEquals("1", response.getHeaders().getFirst("Retry-After"));
        assertEquals(MediaType.APPLICATION_PROBLEM_JSON, response.getHeaders().getContentType());
        assertEquals(ProblemType.OVERLOADED.uri(), response.getBody().getType());
        assertEquals("busy", response.getBody().getDetail());

        ResponseEntity<ProblemDetail> timeout = handler.handleIris(
                new IrisException(ProblemType.QUEUE_TIMEOUT, "waited", Duration.ofSeconds(2)));
        assertEquals(503, timeout.getStatusCode().value());
        assertEquals("2", timeout.getHeaders().getFirst("Retry-After"));
    }

    @Test
    void otherCausesHaveNoRetryAfterAndServerFaultsHideTheirMessage() {
        assertFalse(handler.handleIris(new IrisException(ProblemType.UNKNOWN_CLASS, "x")).getHeaders()
                .containsHeader("Retry-After"));
        ResponseEntity<ProblemDetail> fault = handler.handleAny(new IllegalStateException("secret internals"));
        assertEquals(500, fault.getStatusCode().value());
        assertEquals("Unexpected server error", fault.getBody().getDetail());
    }
}
