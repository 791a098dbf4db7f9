package org.irisseg.segmentation;

/**
 * What locate-then-focus did in one segmentation.
 *
 * @param sideMm the focus box side of the references used (the largest), mm
 * @param boxMm  the focused pass's box along the canonical R, A, S axes, mm (clamped to the query); null
 *               when no focused pass ran: the whole-query pass found nothing, or the box was the whole query
 */
public record FocusSummary(double sideMm, double[] boxMm) {

    public FocusSummary {
        boxMm = boxMm == null ? null : boxMm.clone();
    }

    /** Whether a focused pass ran. */
    public boolean applied() {
        return boxMm != null;
    }
}
