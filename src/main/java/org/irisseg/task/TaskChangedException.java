package org.irisseg.task;

/**
 * A conditional change found the stored task changed since it was read: another replica re-encoded it
 * with another model. The caller reads the task again and retries.
 */
class TaskChangedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TaskChangedException(String id, String expectedModel, String storedModel) {
        super("Task " + id + " is encoded by " + storedModel + ", not " + expectedModel);
    }
}
