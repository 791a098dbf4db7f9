package org.irisseg.admission;

/**
 * A request refused before its volumes were decoded: too large for the memory budget at all, or the
 * budget busy. The message is written for the client and names the limit.
 */
public class AdmissionRefusedException extends RuntimeException {

    /** Why the request was not admitted. */
    public enum Kind {
        /** Needs more memory than the whole budget (or than one array holds): retrying will not help. */
        TOO_LARGE,
        /** The budget is in use and as many requests as allowed already wait for it. */
        QUEUE_FULL,
        /** The budget did not free enough memory within the wait allowed. */
        TIMED_OUT
    }

    private static final long serialVersionUID = 1L;

    private final Kind kind;

    public AdmissionRefusedException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
