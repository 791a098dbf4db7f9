package org.irisseg.task;

/**
 * The task store cannot be reached (database down, connection lost, no connection in time). Nothing was
 * changed, or the change's outcome is left to the store's own atomicity; asking again later may succeed.
 * The message is for the operator's log, not for clients.
 */
public class TaskStoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TaskStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
