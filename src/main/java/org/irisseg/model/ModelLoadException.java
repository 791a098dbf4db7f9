package org.irisseg.model;

/** The model directory is missing, incomplete, corrupt or does not match its {@code model.json}. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
