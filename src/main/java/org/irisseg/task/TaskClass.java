package org.irisseg.task;

/**
 * One class of a task.
 *
 * @param label the label value in the reference masks and in the returned label map (1..65535)
 * @param name  human-readable name, e.g. {@code anterior}
 */
public record TaskClass(int label, String name) {
}
