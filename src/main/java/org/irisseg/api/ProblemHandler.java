package org.irisseg.api;

import java.time.Duration;
import java.util.Optional;

import org.irisseg.admission.AdmissionRefusedException;
import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.model.InferenceException;
import org.irisseg.model.ModelNotReadyException;
import org.irisseg.model.ModelRuntime;
import org.irisseg.model.PoolRefusedException;
import org.irisseg.task.TaskStoreException;
import org.irisseg.task.TaskStoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as RFC 9457 {@code application/problem+json} with a stable {@code type} per cause
 * ({@link ProblemType}). Details are written for the client and never carry stack traces or file
 * contents; server faults are logged as one line without a stack trace.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    private static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;
    /** Retry-After of a refusal under load: a predictor set typically comes back within seconds. */
    static final Duration BUSY_RETRY = Duration.ofSeconds(2);
    /** Retry-After while the model loads and warms up. */
    static final Duration LOADING_RETRY = Duration.ofSeconds(5);
    /** Retry-After while the task store (database) cannot be reached. */
    static final Duration STORE_RETRY = Duration.ofSeconds(5);

    @ExceptionHandler(IrisException.class)
    public ResponseEntity<ProblemDetail> handleIris(IrisException e) {
        log.debug("Request refused: {} ({})", e.type().slug(), e.getMessage());
        return problem(e.type(), e.getMessage(), e.retryAfter().map(d -> Math.max(1, d.toSeconds())));
    }

    /** Backpressure of the predictor pool: 429 when the queue is full, 503 after the wait or while closing. */
    @ExceptionHandler(PoolRefusedException.class)
    public ResponseEntity<ProblemDetail> handlePoolRefused(PoolRefusedException e) {
        ProblemType type = switch (e.kind()) {
            case QUEUE_FULL -> ProblemType.OVERLOADED;
            case TIMED_OUT -> ProblemType.QUEUE_TIMEOUT;
            case CLOSED -> ProblemType.MODEL_NOT_READY;
        };
        return handleIris(new IrisException(type, e.getMessage(), BUSY_RETRY));
    }

    /** The memory budget: 413 when a request can never fit, 429 when too many wait, 503 after the wait. */
    @ExceptionHandler(AdmissionRefusedException.class)
    public ResponseEntity<ProblemDetail> handleAdmissionRefused(AdmissionRefusedException e) {
        return handleIris(switch (e.kind()) {
            case TOO_LARGE -> new IrisException(ProblemType.TOO_LARGE, e.getMessage());
            case QUEUE_FULL -> new IrisException(ProblemType.OVERLOADED, e.getMessage(), BUSY_RETRY);
            case TIMED_OUT -> new IrisException(ProblemType.MEMORY_BUSY, e.getMessage(), BUSY_RETRY);
        });
    }

    /** 503; with Retry-After while loading, without when loading failed (retrying will not help). */
    @ExceptionHandler(ModelNotReadyException.class)
    public ResponseEntity<ProblemDetail> handleModelNotReady(ModelNotReadyException e) {
        Duration retry = e.state() == ModelRuntime.State.LOADING ? LOADING_RETRY : null;
        return handleIris(new IrisException(ProblemType.MODEL_NOT_READY, e.getMessage(), retry));
    }

    /** 507: the store kept its previous state; the cause goes to the operator's log, not to the client. */
    @ExceptionHandler(TaskStoreException.class)
    public ResponseEntity<ProblemDetail> handleStore(TaskStoreException e) {
        log.error("Task store: {}", e.getMessage());
        return problem(ProblemType.STORAGE_FAILED, "The task store could not save this change (its disk may be full);"
                + " nothing was changed and the operator has been told", Optional.empty());
    }

    /** 503 with Retry-After: the database is down or unreachable; the service recovers when it returns. */
    @ExceptionHandler(TaskStoreUnavailableException.class)
    public ResponseEntity<ProblemDetail> handleStoreUnavailable(TaskStoreUnavailableException e) {
        log.warn("Task store unavailable: {}", e.getMessage());
        return problem(ProblemType.STORE_UNAVAILABLE, "The task store cannot be reached; try again later",
                Optional.of(STORE_RETRY.toSeconds()));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    public ResponseEntity<ProblemDetail> handleTypeMismatch(MethodArgumentTypeMismatchException e) {
        return problem(ProblemType.INVALID_PARAMETER, "'" + e.getName() + "' has an invalid value", Optional.empty());
    }

    @ExceptionHandler(MultipartException.class)
    public ResponseEntity<ProblemDetail> handleMultipart(MultipartException e) {
        return problem(ProblemType.INVALID_PARAMETER, "The request is not a readable multipart/form-data body",
                Optional.empty());
    }

    @ExceptionHandler(InferenceException.class)
    public ResponseEntity<ProblemDetail> handleInference(InferenceException e) {
        log.error("Inference failed: {}", e.getMessage());
        return problem(ProblemType.INTERNAL, "The model failed on this input; the operator has been told",
                Optional.empty());
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> handleAny(Exception e) {
        log.error("Unexpected {}: {}", e.getClass().getName(), e.getMessage());
        return problem(ProblemType.INTERNAL, "Unexpected server error", Optional.empty());
    }

    /** Framework errors (missing part, wrong method, unknown path, upload too large, ...): typed by status. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        ProblemType type = switch (statusCode.value()) {
            case 400 -> ProblemType.INVALID_PARAMETER;
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 413 -> ProblemType.TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> ProblemType.INTERNAL;
        };
        String detail = body instanceof ProblemDetail pd && pd.getDetail() != null ? pd.getDetail() : type.title();
        if (type == ProblemType.INTERNAL) {
            log.error("Request failed with {}: {}", ex.getClass().getName(), ex.getMessage());
            detail = "Unexpected server error";
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(statusCode, detail);
        problem.setType(type.uri());
        problem.setTitle(type.title());
        HttpHeaders out = new HttpHeaders();
        out.addAll(headers);
        out.setContentType(PROBLEM_JSON);
        return ResponseEntity.status(statusCode).headers(out).body(problem);
    }

    static ResponseEntity<ProblemDetail> problem(ProblemType type, String detail, Optional<Long> retryAfterSeconds) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(type.status()), detail);
        problem.setType(type.uri());
        problem.setTitle(type.title());
        ResponseEntity.BodyBuilder response = ResponseEntity.status(type.status()).contentType(PROBLEM_JSON);
        retryAfterSeconds.ifPresent(s -> response.header(HttpHeaders.RETRY_AFTER, String.valueOf(s)));
        return response.body(problem);
    }
}
