package org.irisseg.nifti;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How a decoded volume is stored again so that reading it back gives every voxel's float32 bit for bit:
 * the source's datatype and scaling when every voxel re-quantises to a stored value that decodes (as
 * {@link VoxelDecoder} decodes it) to the very same float32, checked voxel by voxel before anything is
 * written; otherwise float32 without scaling, which holds any decoded value exactly (the reader yields
 * float32). A float64 source is stored as float32 for the same reason.
 */
final class ExactEncoding {

    private static final int CHUNK_VOXELS = 1 << 18;

    private final NiftiDatatype datatype;
    private final double slope;
    private final double inter;
    private final boolean scaled;

    private ExactEncoding(NiftiDatatype datatype, double slope, double inter) {
        this.datatype = datatype;
        this.slope = slope;
        this.inter = inter;
        this.scaled = !(slope == 1 && inter == 0);
    }

    /** The smallest exact representation of {@code image}'s values in a file of the header's NIfTI version. */
    static ExactEncoding of(NiftiImage image) {
        NiftiHeader header = image.header();
        double[] s = header.effectiveScaling();
        // a NIfTI-1 header holds the scaling as float32 (as read from a NIfTI-1 source, so unchanged)
        double slope = header.version() == 1 ? (float) s[0] : s[0];
        double inter = header.version() == 1 ? (float) s[1] : s[1];
        if (header.datatype() != NiftiDatatype.FLOAT64) {
            ExactEncoding source = new ExactEncoding(header.datatype(), slope, inter);
            if (source.holdsExactly(image.data())) {
                return source;
            }
        }
        return new ExactEncoding(NiftiDatatype.FLOAT32, 1, 0);
    }

    NiftiDatatype datatype() {
        return datatype;
    }

    double slope() {
        return slope;
    }

    double inter() {
        return inter;
    }

    /** Writes the values as little-endian voxels of this datatype, in bounded chunks; the stream is not closed. */
    void write(OutputStream out, float[] values) throws IOException {
        int bytes = datatype.bytesPerVoxel();
        ByteBuffer chunk = ByteBuffer.allocate(Math.min(values.length, CHUNK_VOXELS) * bytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at < values.length; at += CHUNK_VOXELS) {
            int n = Math.min(CHUNK_VOXELS, values.length - at);
            chunk.clear();
            for (int i = 0; i < n; i++) {
                put(chunk, stored(values[at + i]));
            }
            out.write(chunk.array(), 0, n * bytes);
        }
    }

    private boolean holdsExactly(float[] values) {
        for (float v : values) {
            double raw = stored(v);
            if (Double.isNaN(raw) || Float.floatToRawIntBits(decoded(raw)) != Float.floatToRawIntBits(v)) {
                return false;
            }
        }
        return true;
    }

    /** The value stored for {@code v}: re-quantised to the datatype; NaN when it is out of the type's range. */
    private double stored(float v) {
        double raw = scaled ? (v - inter) / slope : v;
        return switch (datatype) {
            case FLOAT32 -> (float) raw;
            case FLOAT64 -> raw;
            default -> inRange(Math.rint(raw));
        };
    }

    /** What {@link VoxelDecoder} makes of a stored value: scaling in double, rounded once to float32. */
    private float decoded(double raw) {
        return scaled ? (float) (raw * slope + inter) : (float) raw;
    }

    private double inRange(double raw) {
        double min;
        double max;
        switch (datatype) {
            case UINT8 -> { min = 0; max = 0xff; }
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case UINT16 -> { min = 0; max = 0xffff; }
            case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            case UINT32 -> { min = 0; max = 0xffffffffL; }
            // the largest double below 2^63, so the cast to long below is exact
            case INT64 -> { min = -0x1p63; max = Math.nextDown(0x1p63); }
            default -> throw new IllegalStateException("not an integer datatype: " + datatype);
        }
        return raw >= min && raw <= max ? raw : Double.NaN;
    }

    private void put(ByteBuffer b, double raw) {
        switch (datatype) {
            case UINT8, INT8 -> b.put((byte) (long) raw);
            case INT16, UINT16 -> b.putShort((short) (long) raw);
            case INT32, UINT32 -> b.putInt((int) (long) raw);
            case INT64 -> b.putLong((long) raw);
            case FLOAT32 -> b.putFloat((float) raw);
            case FLOAT64 -> b.putDouble(raw);
        }
    }
}
