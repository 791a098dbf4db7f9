package org.irisseg.task;

import java.util.List;

import org.irisseg.error.IrisException;
import org.irisseg.error.Messages;
import org.irisseg.error.ProblemType;
import org.irisseg.nifti.NiftiWriter;

/** The classes of a reference mask, from its distinct non-zero labels. */
final class LabelSet {

    private LabelSet() {
    }

    /**
     * The classes a mask gives its task, checked: at least one, each at most {@link NiftiWriter#MAX_LABEL};
     * a new task's at most {@code maxClasses}; for an existing task exactly its classes.
     *
     * @param present  the mask's distinct non-zero labels, ascending
     * @param expected the task's labels, or null for a new task
     */
    static List<Integer> classes(List<Integer> present, List<Integer> expected, int maxClasses, String role) {
        String who = Messages.capitalised(role);
        if (present.isEmpty()) {
            throw new IrisException(ProblemType.EMPTY_MASK, who
                    + " has no labelled voxel; every non-zero value of a mask is a class");
        }
        int highest = present.get(present.size() - 1);
        if (highest > NiftiWriter.MAX_LABEL) {
            throw new IrisException(ProblemType.INVALID_VALUES, who + " has label " + highest
                    + "; labels must be between 1 and " + NiftiWriter.MAX_LABEL);
        }
        if (expected == null) {
            if (present.size() > maxClasses) {
                throw new IrisException(ProblemType.TOO_MANY_CLASSES, who + " has " + present.size()
                        + " distinct labels; a task may have at most " + maxClasses
                        + " classes (iris.admission.max-classes): merge labels or split the task");
            }
            return present;
        }
        for (int label : present) {
            if (!expected.contains(label)) {
                throw new IrisException(ProblemType.UNKNOWN_CLASS, who + " has label " + label
                        + ", which is not a class of this task (classes " + expected + ")");
            }
        }
        for (int label : expected) {
            if (!present.contains(label)) {
                throw new IrisException(ProblemType.EMPTY_MASK, who + " has no voxel of class " + label
                        + "; every reference must show every class of the task");
            }
        }
        return expected;
    }
}
