package org.irisseg.segmentation;

/**
 * What locate-then-focus did in one segmentation.
 *
 * @param sideMm  the focus box side of the references used (the largest), mm
 * @param boxMm   the focused pass's box, or the box around its windows, along the canonical R, A, S axes, mm
 *                (clamped to the query); null when no focused pass ran: the whole-query pass found nothing, or
 *                the box was the whole query
 * @param windows focused passes that ran: 0 with no box, 1 for one box, more for overlapping windows
 */
public record FocusSummary(double sideMm, double[] boxMm, int windows) {

    public FocusSummary {
        boxMm = boxMm == null ? null : boxMm.clone();
        if (windows < 0 || (boxMm == null) != (windows == 0)) {
            throw new IllegalArgumentException(windows + " focused passes with a box " + (boxMm != null));
        }
    }

    /** Whether a focused pass ran. */
    public boolean applied() {
        return boxMm != null;
    }
}
