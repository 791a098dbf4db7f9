package org.irisseg.task;

/**
 * The task store could not make a change durable (full disk, file-size limit, I/O error). The stored
 * state is the one before the change: a task is never half-written. The message is for the operator's
 * log, not for clients.
 */
public class TaskStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TaskStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
