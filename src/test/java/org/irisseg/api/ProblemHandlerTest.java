package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.irisseg.admission.AdmissionRefusedException;
import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.model.ModelNotReadyException;
import org.irisseg.model.ModelRuntime;
import org.irisseg.model.PoolRefusedException;
import org.irisseg.task.TaskStoreException;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** Typed refusals of the model layer become problem types once, here; Retry-After in whole seconds. */
class ProblemHandlerTest {

    private final ProblemHandler handler = new ProblemHandler();

    /** Status, problem type and Retry-After (null: none) of an answer. */
    private static void assertAnswer(ResponseEntity<ProblemDetail> response, int status, ProblemType type,
            String retryAfter) {
        assertEquals(status, response.getStatusCode().value());
        assertEquals(MediaType.APPLICATION_PROBLEM_JSON, response.getHeaders().getContentType());
        assertEquals(type.uri(), response.getBody().getType());
        assertEquals(retryAfter, response.getHeaders().getFirst("Retry-After"));
    }

    private ResponseEntity<ProblemDetail> refused(PoolRefusedException.Kind kind) {
        return handler.handlePoolRefused(new PoolRefusedException(kind, "refused: " + kind));
    }

    @Test
    void aFullQueueIsAnOverloadWithRetryAfter() {
        ResponseEntity<ProblemDetail> response = refused(PoolRefusedException.Kind.QUEUE_FULL);
        assertAnswer(response, 429, ProblemType.OVERLOADED, "2");
        assertEquals("refused: QUEUE_FULL", response.getBody().getDetail());
    }

    @Test
    void aTimedOutWaitIsAQueueTimeoutWithRetryAfter() {
        assertAnswer(refused(PoolRefusedException.Kind.TIMED_OUT), 503, ProblemType.QUEUE_TIMEOUT, "2");
    }

    @Test
    void aClosingPoolIsModelNotReadyWithRetryAfter() {
        assertAnswer(refused(PoolRefusedException.Kind.CLOSED), 503, ProblemType.MODEL_NOT_READY, "2");
    }

    @Test
    void aLoadingModelIsModelNotReadyWithRetryAfter() {
        assertAnswer(handler.handleModelNotReady(new ModelNotReadyException(ModelRuntime.State.LOADING, "loading")),
                503, ProblemType.MODEL_NOT_READY, "5");
    }

    @Test
    void aFailedModelIsModelNotReadyWithoutRetryAfter() {
        assertAnswer(handler.handleModelNotReady(new ModelNotReadyException(ModelRuntime.State.FAILED, "failed")),
                503, ProblemType.MODEL_NOT_READY, null);
    }

    @Test
    void otherCausesHaveNoRetryAfter() {
        assertFalse(handler.handleIris(new IrisException(ProblemType.UNKNOWN_CLASS, "x")).getHeaders()
                .containsHeader("Retry-After"));
    }

    private ResponseEntity<ProblemDetail> notAdmitted(AdmissionRefusedException.Kind kind) {
        return handler.handleAdmissionRefused(new AdmissionRefusedException(kind, "not admitted: " + kind));
    }

    @Test
    void aRequestOverTheMemoryBudgetIsTooLargeWithoutRetryAfter() {
        ResponseEntity<ProblemDetail> response = notAdmitted(AdmissionRefusedException.Kind.TOO_LARGE);
        assertAnswer(response, 413, ProblemType.TOO_LARGE, null);
        assertEquals("not admitted: TOO_LARGE", response.getBody().getDetail());
    }

    @Test
    void aFullQueueForMemoryIsAnOverloadWithRetryAfter() {
        assertAnswer(notAdmitted(AdmissionRefusedException.Kind.QUEUE_FULL), 429, ProblemType.OVERLOADED, "2");
    }

    @Test
    void aTimedOutWaitForMemoryIsMemoryBusyWithRetryAfter() {
        assertAnswer(notAdmitted(AdmissionRefusedException.Kind.TIMED_OUT), 503, ProblemType.MEMORY_BUSY, "2");
    }

    @Test
    void aStoreThatCannotWriteIsInsufficientStorageWithoutItsCause() {
        ResponseEntity<ProblemDetail> response = handler.handleStore(
                new TaskStoreException("Cannot write task x: File too large", new java.io.IOException("File too large")));
        assertAnswer(response, 507, ProblemType.STORAGE_FAILED, null);
        assertFalse(response.getBody().getDetail().contains("File too large"), response.getBody().getDetail());
    }

    @Test
    void serverFaultsHideTheirMessage() {
        ResponseEntity<ProblemDetail> fault = handler.handleAny(new IllegalStateException("secret internals"));
        assertEquals(500, fault.getStatusCode().value());
        assertEquals("Unexpected server error", fault.getBody().getDetail());
    }
}
