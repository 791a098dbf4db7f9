package org.irisseg.nifti;

import java.util.List;

/**
 * What a label map holds, read without keeping its voxels.
 *
 * @param header the file's header
 * @param labels its distinct non-zero labels, ascending
 */
public record LabelScan(NiftiHeader header, List<Integer> labels) {

    public LabelScan {
        if (header == null || labels == null) {
            throw new IllegalArgumentException("a label scan needs a header and a label list");
        }
        labels = List.copyOf(labels);
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i) < 1 || i > 0 && labels.get(i) <= labels.get(i - 1)) {
                throw new IllegalArgumentException("labels must be positive and strictly ascending: " + labels);
            }
        }
    }
}
