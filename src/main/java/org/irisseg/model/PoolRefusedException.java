package org.irisseg.model;

/**
 * A {@link BoundedPool} refused a lease. The pool knows nothing of HTTP: the edge maps each
 * {@link Kind} to its answer once. No stack trace: a refusal under load is expected and must be cheap.
 */
public final class PoolRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Kind kind;

    public PoolRefusedException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Why the lease was refused. */
    public enum Kind {
        /** Every item is leased and the wait queue is full: refused at once. */
        QUEUE_FULL,
        /** Queued, but no item came back within the queue timeout (or the wait was interrupted). */
        TIMED_OUT,
        /** The pool is closing: the service is shutting down. */
        CLOSED
    }
}
