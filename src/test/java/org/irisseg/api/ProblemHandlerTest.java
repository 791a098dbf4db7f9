package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.model.ModelNotReadyException;
import org.irisseg.model.ModelRuntime;
import org.irisseg.model.PoolRefusedException;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** Typed refusals of the model layer become problem types once, here; Retry-After in whole seconds. */
class ProblemHandlerTest {

    private final ProblemHandler handler = new ProblemHandler();

    @Test
    void aFullQueueIsAnOverloadWithRetryAfter() {
        ResponseEntity<ProblemDetail> response = handler.handlePoolRefused(
                new PoolRefusedException(PoolRefusedException.Kind.QUEUE_FULL, "busy"));
        assertEquals(429, response.getStatusCode().value());
        assertEquals("2", response.getHeaders().getFirst("Retry-After"));
        assertEquals(MediaType.APPLICATION_PROBLEM_JSON, response.getHeaders().getContentType());
        assertEquals(ProblemType.OVERLOADED.uri(), response.getBody().getType());
        assertEquals("busy", response.getBody().getDetail());
    }

    @Test
    void aTimedOutWaitIsAQueueTimeoutWithRetryAfter() {
        ResponseEntity<ProblemDetail> response = handler.handlePoolRefused(
                new PoolRefusedException(PoolRefusedException.Kind.TIMED_OUT, "waited"));
        assertEquals(503, response.getStatusCode().value());
        assertEquals(ProblemType.QUEUE_TIMEOUT.uri(), response.getBody().getType());
        assertEquals("2", response.getHeaders().getFirst("Retry-After"));
    }

    @Test
    void aClosingPoolIsModelNotReadyWithRetryAfter() {
        ResponseEntity<ProblemDetail> response = handler.handlePoolRefused(
                new PoolRefusedException(PoolRefusedException.Kind.CLOSED, "shutting down"));
        assertEquals(503, response.getStatusCode().value());
        assertEquals(ProblemType.MODEL_NOT_READY.uri(), response.getBody().getType());
        assertEquals("2", response.getHeaders().getFirst("Retry-After"));
    }

    @Test
    void aLoadingModelIsModelNotReadyWithRetryAfter() {
        ResponseEntity<ProblemDetail> response = handler.handleModelNotReady(
                new ModelNotReadyException(ModelRuntime.State.LOADING, "loading"));
        assertEquals(503, response.getStatusCode().value());
        assertEquals(ProblemType.MODEL_NOT_READY.uri(), response.getBody().getType());
        assertEquals("5", response.getHeaders().getFirst("Retry-After"));
    }

    @Test
    void aFailedModelIsModelNotReadyWithoutRetryAfter() {
        ResponseEntity<ProblemDetail> response = handler.handleModelNotReady(
                new ModelNotReadyException(ModelRuntime.State.FAILED, "failed"));
        assertEquals(503, response.getStatusCode().value());
        assertFalse(response.getHeaders().containsHeader("Retry-After"));
    }

    @Test
    void otherCausesHaveNoRetryAfter() {
        assertFalse(handler.handleIris(new IrisException(ProblemType.UNKNOWN_CLASS, "x")).getHeaders()
                .containsHeader("Retry-After"));
    }

    @Test
    void serverFaultsHideTheirMessage() {
        ResponseEntity<ProblemDetail> fault = handler.handleAny(new IllegalStateException("secret internals"));
        assertEquals(500, fault.getStatusCode().value());
        assertEquals("Unexpected server error", fault.getBody().getDetail());
    }
}
