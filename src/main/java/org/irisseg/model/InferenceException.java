package org.irisseg.model;

/** A TorchScript module failed on inputs the service had already validated: a model or engine fault. */
public class InferenceException extends RuntimeException {

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }

    public InferenceException(String message) {
        super(message);
    }
}
