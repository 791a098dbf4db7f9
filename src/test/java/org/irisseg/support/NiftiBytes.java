package org.irisseg.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Raw NIfTI-1 files built byte by byte, so tests can make valid volumes and every kind of broken one
 * (wrong datatype, impossible dims, NaN voxels, ...). Defaults: little endian, float32, 1 mm voxels,
 * identity sform (code 1), mm units.
 */
public final class NiftiBytes {

    public static final short UINT8 = 2;
    public static final short FLOAT32 = 16;
    public static final short COMPLEX64 = 32;

    private final long[] dims;
    private short datatype = FLOAT32;
    private float[] values;
    private double[][] srows = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};

    private NiftiBytes(int x, int y, int z) {
        this.dims = new long[] {3, x, y, z, 1, 1, 1, 1};
        this.values = new float[x * y * z];
    }

    public static NiftiBytes volume(int x, int y, int z) {
        return new NiftiBytes(x, y, z);
    }

    public NiftiBytes values(float[] v) {
        this.values = v.clone();
        return this;
    }

    public NiftiBytes datatype(short code) {
        this.datatype = code;
        return this;
    }

    /** Overrides dim[1..3] in the header only (the data stays as it is). */
    public NiftiBytes declaredDims(long x, long y, long z) {
        dims[1] = x;
        dims[2] = y;
        dims[3] = z;
        return this;
    }

    public NiftiBytes sform(double[] x, double[] y, double[] z) {
        this.srows = new double[][] {x.clone(), y.clone(), z.clone()};
        return this;
    }

    /** A smooth blob image: 0..100 with a bright centre. */
    public NiftiBytes blob() {
        int x = (int) dims[1];
        int y = (int) dims[2];
        int z = (int) dims[3];
        for (int k = 0; k < z; k++) {
            for (int j = 0; j < y; j++) {
                for (int i = 0; i < x; i++) {
                    double d2 = Math.pow(i - x / 2.0, 2) + Math.pow(j - y / 2.0, 2) + Math.pow(k - z / 2.0, 2);
                    values[(k * y + j) * x + i] = (float) (100 * Math.exp(-d2 / 30));
                }
            }
        }
        return this;
    }

    /** Label 1 inside a ball of {@code radius} voxels around the centre, label 2 in the shell around it. */
    public NiftiBytes twoLabelBall(double radius) {
        int x = (int) dims[1];
        int y = (int) dims[2];
        int z = (int) dims[3];
        for (int k = 0; k < z; k++) {
            for (int j = 0; j < y; j++) {
                for (int i = 0; i < x; i++) {
                    double d = Math.sqrt(Math.pow(i - x / 2.0, 2) + Math.pow(j - y / 2.0, 2)
                            + Math.pow(k - z / 2.0, 2));
                    values[(k * y + j) * x + i] = d < radius ? 1f : d < radius * 1.6 ? 2f : 0f;
                }
            }
        }
        return this;
    }

    /** The uncompressed {@code .nii}. */
    public byte[] nii() {
        int bytesPer = datatype == UINT8 ? 1 : datatype == COMPLEX64 ? 8 : 4;
        ByteBuffer b = ByteBuffer.allocate(352 + values.length * bytesPer).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 348);
        for (int i = 0; i < 8; i++) {
            b.putShort(40 + 2 * i, (short) dims[i]);
        }
        b.putShort(70, datatype);
        b.putShort(72, (short) (bytesPer * 8));
        float[] pixdim = {1, 1, 1, 1, 1, 1, 1, 1};
        for (int i = 0; i < 3; i++) {
            pixdim[i + 1] = (float) Math.sqrt(srows[0][i] * srows[0][i] + srows[1][i] * srows[1][i]
                    + srows[2][i] * srows[2][i]);
        }
        for (int i = 0; i < 8; i++) {
            b.putFloat(76 + 4 * i, pixdim[i]);
        }
        b.putFloat(108, 352);
        b.putFloat(112, 1);
        b.putFloat(116, 0);
        b.put(123, (byte) 2);
        b.putShort(252, (short) 0);
        b.putShort(254, (short) 1);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                b.putFloat(280 + 16 * r + 4 * c, (float) srows[r][c]);
            }
        }
        b.position(344);
        b.put("n+1\0".getBytes(StandardCharsets.US_ASCII));
        b.position(352);
        for (float v : values) {
            switch (datatype) {
                case UINT8 -> b.put((byte) v);
                case COMPLEX64 -> {
                    b.putFloat(v);
                    b.putFloat(0);
                }
                default -> b.putFloat(v);
            }
        }
        return b.array();
    }

    /** The gzip-compressed {@code .nii.gz}. */
    public byte[] niiGz() {
        return gzip(nii());
    }

    public static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
