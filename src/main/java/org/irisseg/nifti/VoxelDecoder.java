package org.irisseg.nifti;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Reads the voxel block of a NIfTI file into float32, chunk by chunk: byte order, datatype and
 * {@code scl_slope}/{@code scl_inter} (applied in double, then rounded once to float) handled in bulk,
 * values checked against a {@link VoxelValues} rule as they arrive.
 */
final class VoxelDecoder {

    /** Bytes read and converted at a time; a multiple of every voxel size. */
    private static final int CHUNK_BYTES = 1 << 20;

    private final NiftiHeader header;
    private final VoxelValues rule;
    private final int[] dims;
    private final double slope;
    private final double inter;
    private final boolean scaled;

    VoxelDecoder(NiftiHeader header, VoxelValues rule) {
        this.header = header;
        this.rule = rule;
        this.dims = header.spatialDims();
        double[] s = header.effectiveScaling();
        this.slope = s[0];
        this.inter = s[1];
        this.scaled = !(slope == 1 && inter == 0);
    }

    /** Reads X*Y*Z voxels from {@code in}, positioned at vox_offset; returns them in file order. */
    float[] decode(InputStream in) throws IOException {
        float[] out = new float[Math.toIntExact(header.voxelCount())];
        readChunks(in, out, null);
        return out;
    }

    /**
     * Reads and checks the voxels like {@link #decode} but holds only one chunk at a time: each is handed
     * to {@code chunks} (values in its first n entries) and then overwritten.
     */
    void scan(InputStream in, Chunks chunks) throws IOException {
        readChunks(in, null, chunks);
    }

    /** Receives the values of one chunk. */
    @FunctionalInterface
    interface Chunks {
        void accept(float[] values, int n);
    }

    /** Into {@code whole} when given, else chunk by chunk into a reused buffer handed to {@code chunks}. */
    private void readChunks(InputStream in, float[] whole, Chunks chunks) throws IOException {
        int count = Math.toIntExact(header.voxelCount());
        NiftiDatatype type = header.datatype();
        int bytesPerVoxel = type.bytesPerVoxel();
        byte[] bytes = new byte[(int) Math.min(CHUNK_BYTES, (long) count * bytesPerVoxel)];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(header.byteOrder());
        Scratch scratch = new Scratch(bytes.length / bytesPerVoxel);
        float[] chunk = whole == null ? new float[bytes.length / bytesPerVoxel] : null;
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, bytes.length / bytesPerVoxel);
            int got = in.readNBytes(bytes, 0, n * bytesPerVoxel);
            if (got < n * bytesPerVoxel) {
                long expected = (long) count * bytesPerVoxel;
                long found = (long) done * bytesPerVoxel + got;
                throw new NiftiException(NiftiException.Kind.CORRUPT,
                        "the file is truncated: its header declares " + dims[0] + "x" + dims[1] + "x" + dims[2] + " "
                                + type.name().toLowerCase() + " voxels (" + expected + " bytes) but the data ends after "
                                + found + " bytes; upload the complete file");
            }
            if (whole != null) {
                convert(buf, type, n, new Window(whole, done, done), scratch);
            } else {
                convert(buf, type, n, new Window(chunk, 0, done), scratch);
                chunks.accept(chunk, n);
            }
            done += n;
        }
    }

    /** Where converted values go: {@code out[o + i]} holds voxel {@code first + i} (for messages). */
    private record Window(float[] out, int o, int first) {
    }

    private void convert(ByteBuffer buf, NiftiDatatype type, int n, Window w, Scratch s) {
        float[] out = w.out();
        int o = w.o();
        int at = w.first();
        buf.clear();
        switch (type) {
            case UINT8 -> {
                byte[] b = buf.array();
                if (scaled) {
                    for (int i = 0; i < n; i++) {
                        out[o + i] = scale(b[i] & 0xff, at + i);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        out[o + i] = b[i] & 0xff;
                    }
                }
            }
            case INT8 -> {
                byte[] b = buf.array();
                if (scaled) {
                    for (int i = 0; i < n; i++) {
                        out[o + i] = scale(b[i], at + i);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        out[o + i] = b[i];
                    }
                    checkNoNegatives(out, o, at, n);
                }
            }
            case INT16, UINT16 -> {
                short[] v = s.shorts();
                buf.asShortBuffer().get(v, 0, n);
                boolean unsigned = type == NiftiDatatype.UINT16;
                if (scaled) {
                    for (int i = 0; i < n; i++) {
                        out[o + i] = scale(unsigned ? v[i] & 0xffff : v[i], at + i);
                    }
                } else if (unsigned) {
                    for (int i = 0; i < n; i++) {
                        out[o + i] = v[i] & 0xffff;
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        out[o + i] = v[i];
                    }
                    checkNoNegatives(out, o, at, n);
                }
            }
            case INT32, UINT32 -> {
                int[] v = s.ints();
                buf.asIntBuffer().get(v, 0, n);
                boolean unsigned = type == NiftiDatatype.UINT32;
                for (int i = 0; i < n; i++) {
                    double d = unsigned ? Integer.toUnsignedLong(v[i]) : v[i];
                    out[o + i] = scaled ? scale(d, at + i) : exactInteger(d, at + i);
                }
            }
            case INT64 -> {
                long[] v = s.longs();
                buf.asLongBuffer().get(v, 0, n);
                for (int i = 0; i < n; i++) {
                    out[o + i] = scaled ? scale(v[i], at + i) : exactInteger(v[i], at + i);
                }
            }
            case FLOAT32 -> {
                float[] v = s.floats();
                buf.asFloatBuffer().get(v, 0, n);
                if (scaled) {
                    for (int i = 0; i < n; i++) {
                        out[o + i] = scale(v[i], at + i);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        out[o + i] = check(v[i], at + i);
                    }
                }
            }
            case FLOAT64 -> {
                double[] v = s.doubles();
                buf.asDoubleBuffer().get(v, 0, n);
                for (int i = 0; i < n; i++) {
                    out[o + i] = scaled ? scale(v[i], at + i) : check(v[i], at + i);
                }
            }
        }
    }

    private float scale(double raw, int index) {
        return check(raw * slope + inter, index);
    }

    /** An unscaled integer value: always finite, but a label map refuses negatives and values past 2^24. */
    private float exactInteger(double value, int index) {
        if (rule == VoxelValues.LABEL_MAP && (value < 0 || value > VoxelValues.MAX_LABEL)) {
            throw invalid(value < 0 ? "a negative value" : "a value above " + (long) VoxelValues.MAX_LABEL, index);
        }
        return (float) value;
    }

    /** Negatives in small signed integer types (which are always exact in float32). */
    private void checkNoNegatives(float[] out, int o, int at, int n) {
        if (rule != VoxelValues.LABEL_MAP) {
            return;
        }
        for (int i = 0; i < n; i++) {
            if (out[o + i] < 0) {
                throw invalid("a negative value", at + i);
            }
        }
    }

    /**
     * Rounds a value computed in double to float32 and checks it against the rule: an image value must
     * be finite in float32; a label must be a whole number in float32 (as the label is used), at most
     * 2^24 before rounding (so distinct labels stay distinct).
     */
    private float check(double value, int index) {
        float f = (float) value;
        if (rule == VoxelValues.IMAGE) {
            if (!Float.isFinite(f)) {
                throw invalid(Double.isNaN(value) ? "a NaN value" : Double.isFinite(value)
                        ? "a value beyond the float32 range" : "an infinite value", index);
            }
        } else if (!(f == Math.rint(f))) {
            // whole within float32 precision: int32 masks scaled to [0, 1] read as exact 0 and 1
            throw invalid("a value that is not a whole number (NaN, infinite or fractional)", index);
        } else if (f < 0) {
            throw invalid("a negative value", index);
        } else if (value > VoxelValues.MAX_LABEL) {
            throw invalid("a value above " + (long) VoxelValues.MAX_LABEL, index);
        }
        return f;
    }

    private NiftiException invalid(String what, int index) {
        int x = index % dims[0];
        int y = (index / dims[0]) % dims[1];
        int z = index / dims[0] / dims[1];
        String where = " (first at voxel " + x + ", " + y + ", " + z + ")";
        String advice = rule == VoxelValues.IMAGE
                ? "; replace NaN and infinite voxels (for example by 0) before upload"
                : "; a label map must hold whole class numbers 0.." + (long) VoxelValues.MAX_LABEL
                        + ", not probabilities or intensities";
        return new NiftiException(NiftiException.Kind.INVALID_VALUES,
                (rule == VoxelValues.IMAGE ? "the image holds " : "the label map holds ") + what + where + advice);
    }

    /** Reusable typed arrays for one chunk. */
    private static final class Scratch {
        private final int size;
        private short[] shorts;
        private int[] ints;
        private long[] longs;
        private float[] floats;
        private double[] doubles;

        Scratch(int size) {
            this.size = size;
        }

        short[] shorts() {
            return shorts != null ? shorts : (shorts = new short[size]);
        }

        int[] ints() {
            return ints != null ? ints : (ints = new int[size]);
        }

        long[] longs() {
            return longs != null ? longs : (longs = new long[size]);
        }

        float[] floats() {
            return floats != null ? floats : (floats = new float[size]);
        }

        double[] doubles() {
            return doubles != null ? doubles : (doubles = new double[size]);
        }
    }
}
