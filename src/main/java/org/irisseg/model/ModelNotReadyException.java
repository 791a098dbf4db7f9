package org.irisseg.model;

/**
 * The model cannot serve yet ({@link ModelRuntime.State#LOADING}) or at all
 * ({@link ModelRuntime.State#FAILED}); the edge decides what the client is told.
 */
public final class ModelNotReadyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ModelRuntime.State state;

    public ModelNotReadyException(ModelRuntime.State state, String message) {
        super(message, null, false, false);
        this.state = state;
    }

    /** LOADING (worth retrying soon) or FAILED (the operator has to act). */
    public ModelRuntime.State state() {
        return state;
    }
}
