package org.irisseg.model;

/**
 * Where the model looks in locate-then-focus segmentation: cubes in millimetres around an object. The
 * policy is {@code training/irisseg/boxes.py}, which training and evaluation use; this class mirrors it
 * for the service, and the {@code focus} test vectors of the model directory (boxes chosen for a real case)
 * hold both to the same numbers. Rounding is Python's: half to even ({@link Math#rint}).
 *
 * <p>A reference is encoded inside the cube of side {@link #sideMm} centred on all its classes; a query is
 * segmented whole (the coarse pass), then again inside a cube of at least the reference's side around what
 * the coarse pass found; where the found object is larger than the reference's box allows (twice its extent
 * exceeds the side), overlapping windows of the reference's side cover it instead ({@link #queryWindows}),
 * so the query is seen at the reference's scale. A cube keeps the object's aspect ratio on the model's cubic grid, unless the volume
 * is smaller than the cube along an axis, where the box is clamped to the volume.
 */
public final class FocusPolicy {

    /** Box side as a multiple of the object's largest physical extent. */
    public static final double MARGIN_FACTOR = 2.0;
    /** Smallest box side, mm: small objects still come with some context. */
    public static final double MIN_SIDE_MM = 48.0;
    /** Probability above which a coarse-pass voxel counts as found. */
    public static final double FOUND_THRESHOLD = 0.5;
    /** Overlap of neighbouring windows, as a fraction of the window side. */
    public static final double WINDOW_OVERLAP = 0.25;
    /** Most windows a query gets; a found object that needs more gets the one grown box. */
    public static final int MAX_WINDOWS = 8;

    private FocusPolicy() {
    }

    /**
     * Largest physical extent (mm) of the voxels inside {@code bounds} (their bounding box, not empty).
     *
     * @param spacing mm per voxel along the canonical axes
     */
    public static double extentMm(Box bounds, double[] spacing) {
        requireNotEmpty(bounds);
        return Math.max(bounds.sizeX() * spacing[0], Math.max(bounds.sizeY() * spacing[1], bounds.sizeZ() * spacing[2]));
    }

    /** Box side (mm) for an object with these bounds: {@link #MARGIN_FACTOR} times its extent, at least {@link #MIN_SIDE_MM}. */
    public static double sideMm(Box bounds, double[] spacing) {
        return Math.max(MIN_SIDE_MM, MARGIN_FACTOR * extentMm(bounds, spacing));
    }

    /** The box a reference is encoded from: around the bounds of all its classes. */
    public static Box referenceBox(Box bounds, double[] spacing, int[] shape) {
        return around(bounds, sideMm(bounds, spacing), spacing, shape);
    }

    /**
     * The focused pass's box: a cube of {@code sideMm} (the reference's), or {@link #MARGIN_FACTOR} times the
     * found object's extent where that is larger, around the bounds of what the coarse pass found.
     */
    public static Box queryBox(Box found, double[] spacing, double sideMm, int[] shape) {
        return around(found, Math.max(sideMm, MARGIN_FACTOR * extentMm(found, spacing)), spacing, shape);
    }

    /**
     * The focused passes' boxes: {@link #queryBox} alone where {@link #MARGIN_FACTOR} times the found extent is
     * at most {@code sideMm}; otherwise cubes of {@code sideMm} over the found bounds grown by a quarter side on
     * every side, neighbours overlapping by {@link #WINDOW_OVERLAP} ({@link WindowGrid#boxes} in x, then y, then
     * z order), unless more than {@link #MAX_WINDOWS} would be needed (then {@link #queryBox} alone).
     */
    public static WindowGrid queryWindows(Box found, double[] spacing, double sideMm, int[] shape) {
        WindowGrid one = WindowGrid.of(queryBox(found, spacing, sideMm, shape));
        if (MARGIN_FACTOR * extentMm(found, spacing) <= sideMm) {
            return one;
        }
        int[] lows = {found.x0(), found.y0(), found.z0()};
        int[] highs = {found.x1(), found.y1(), found.z1()};
        int[][] starts = new int[3][];
        int[] lengths = new int[3];
        long count = 1;
        for (int a = 0; a < 3; a++) {
            int grow = (int) Math.rint(sideMm / 4 / spacing[a]);
            lengths[a] = (int) Math.min(shape[a], Math.max(1, Math.rint(sideMm / spacing[a])));
            starts[a] = windowStarts(Math.max(0, lows[a] - grow), Math.min(shape[a], highs[a] + grow), lengths[a],
                    shape[a], WINDOW_OVERLAP);
            count *= starts[a].length;
        }
        return count > MAX_WINDOWS ? one : new WindowGrid(starts, lengths);
    }

    /**
     * Starts of windows of {@code length} voxels (at most {@code n}) covering {@code [lo, hi)} of an axis of
     * {@code n} voxels, neighbours overlapping by about {@code overlap} of a window, spread evenly (as numpy's
     * {@code linspace}), inside the axis.
     */
    static int[] windowStarts(int lo, int hi, int length, int n, double overlap) {
        int len = Math.min(length, n);
        if (hi - lo <= len) {
            return new int[] {clamp((int) Math.rint((lo + hi - len) / 2.0), n - len)};
        }
        double stride = Math.max(1.0, len * (1.0 - overlap));
        int count = (int) Math.ceil((hi - lo - len) / stride) + 1;
        double step = (double) (hi - len - lo) / (count - 1);
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) {
            double at = i == count - 1 ? hi - len : lo + i * step;
            starts[i] = clamp((int) Math.rint(at), n - len);
        }
        return starts;
    }

    private static int clamp(int start, int last) {
        return Math.min(Math.max(start, 0), last);
    }

    /**
     * A cube of {@code sideMm} centred on the centre of {@code bounds}, shifted to lie inside the volume and
     * clamped along the axes where the volume is smaller than the cube.
     */
    static Box around(Box bounds, double sideMm, double[] spacing, int[] shape) {
        requireNotEmpty(bounds);
        int[] lows = {bounds.x0(), bounds.y0(), bounds.z0()};
        int[] highs = {bounds.x1(), bounds.y1(), bounds.z1()};
        int[] start = new int[3];
        int[] stop = new int[3];
        for (int a = 0; a < 3; a++) {
            double centre = (lows[a] + (highs[a] - 1)) / 2.0;
            int length = (int) Math.min(shape[a], Math.max(1, Math.rint(sideMm / spacing[a])));
            int first = (int) Math.rint(centre - length / 2.0);
            first = Math.min(Math.max(first, 0), shape[a] - length);
            start[a] = first;
            stop[a] = first + length;
        }
        return new Box(start[0], stop[0], start[1], stop[1], start[2], stop[2]);
    }

    private static void requireNotEmpty(Box bounds) {
        if (bounds.isEmpty()) {
            throw new IllegalArgumentException("an empty object has no extent");
        }
    }
}
