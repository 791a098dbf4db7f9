package org.irisseg.model;

/** The timed stages of a request; the model stages are the TorchScript calls alone. */
public enum Stage {
    QUEUE_WAIT("queue"),
    IMAGE_ENCODING("image-encoding"),
    TASK_ENCODING("task-encoding"),
    DECODING("decoding"),
    /** The model calls of the quality checks: ensemble members decoded one by one, the answer's objects encoded. */
    QUALITY("quality");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    /** Name used in metrics tags and the {@code Server-Timing} header. */
    public String label() {
        return label;
    }

    /** True for the stages spent inside a TorchScript module. */
    public boolean isModelCall() {
        return this != QUEUE_WAIT;
    }
}
