package org.irisseg.error;

import java.time.Duration;
import java.util.Optional;

/**
 * A request that cannot be served, with the {@link ProblemType} that names its cause.
 * The message is shown to the client as the problem's {@code detail}: it must be actionable and must
 * never contain file contents.
 */
public class IrisException extends RuntimeException {

    private final ProblemType type;
    private final Duration retryAfter;

    public IrisException(ProblemType type, String detail) {
        this(type, detail, null);
    }

    public IrisException(ProblemType type, String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.type = type;
        this.retryAfter = retryAfter;
    }

    public ProblemType type() {
        return type;
    }

    /** How long a client should wait before retrying, for overload and not-ready causes. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
