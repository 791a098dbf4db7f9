package org.irisseg.task;

import org.irisseg.nifti.NiftiWriter;

/**
 * One class of a task.
 *
 * @param label the label value in the reference masks and in the returned label map (1..65535)
 * @param name  human-readable name, e.g. {@code anterior}
 */
public record TaskClass(int label, String name) {

    public TaskClass {
        if (label < 1 || label > NiftiWriter.MAX_LABEL) {
            throw new IllegalArgumentException("Label " + label + " is outside 1.." + NiftiWriter.MAX_LABEL);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Class " + label + " has no name");
        }
    }
}
