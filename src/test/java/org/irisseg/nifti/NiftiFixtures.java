package org.irisseg.nifti;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Builds NIfTI-1 and NIfTI-2 files byte by byte from the field offsets of the standard, independently
 * of the production encoder, so tests can produce any header (valid or broken) in any byte order. The
 * tests' one byte-level NIfTI builder ({@link org.irisseg.support.NiftiBytes} fills volumes on it).
 */
public final class NiftiFixtures {

    /** NIfTI datatype codes. */
    public static final int UINT8 = 2;
    static final int INT16 = 4;
    static final int INT32 = 8;
    public static final int FLOAT32 = 16;
    /** Complex pairs of float32: a datatype the service refuses. */
    public static final int COMPLEX64 = 32;
    static final int FLOAT64 = 64;
    static final int INT8 = 256;
    static final int UINT16 = 512;
    static final int UINT32 = 768;
    static final int INT64 = 1024;

    private NiftiFixtures() {
    }

    /** A mutable description of one file; defaults: NIfTI-1 little endian 2x3x4 float32, identity sform. */
    public static final class Spec {
        int version = 1;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        public long[] dim = {3, 2, 3, 4, 1, 1, 1, 1};
        public int datatype = FLOAT32;
        public double[] pixdim = {1, 1, 1, 1, 0, 0, 0, 0};
        double voxOffset = -1; // -1: header size + 4 + extension bytes
        double slope = 1;
        double inter = 0;
        int qformCode = 0;
        double[] quatern = {0, 0, 0};
        double[] qoffset = {0, 0, 0};
        int sformCode = 1;
        public double[][] srow = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
        public int xyztUnits = 10;
        byte[] magic; // null: the right one
        byte[] extension = new byte[0];
        byte[] data = new byte[0];

        public Spec dims(long... sizes) {
            dim = new long[] {sizes.length, 1, 1, 1, 1, 1, 1, 1};
            System.arraycopy(sizes, 0, dim, 1, sizes.length);
            return this;
        }

        long voxels() {
            long n = 1;
            for (int i = 1; i <= dim[0]; i++) {
                n *= dim[i];
            }
            return n;
        }

        /** Encodes values in this spec's datatype and byte order as the voxel data. */
        public Spec values(double... values) {
            data = encode(values, datatype, order);
            return this;
        }

        int headerSize() {
            return version == 1 ? 348 : 540;
        }

        public byte[] bytes() {
            int hs = headerSize();
            double offset = voxOffset < 0 ? hs + 4 + extension.length : voxOffset;
            int headerAndExtension = hs + 4 + extension.length;
            // data goes at vox_offset when that is a sane position, else right after the header
            int dataStart = offset > (1 << 20) ? headerAndExtension : (int) Math.max(offset, headerAndExtension);
            ByteBuffer b = ByteBuffer.allocate(dataStart + data.length).order(order);
            if (version == 1) {
                writeNifti1(b, offset);
            } else {
                writeNifti2(b, offset);
            }
            if (extension.length > 0) {
                b.putInt(hs, 1);
                b.put(hs + 4, extension);
            }
            b.put(dataStart, data);
            return b.array();
        }

        byte[] gz() {
            return gzip(bytes());
        }

        private void writeNifti1(ByteBuffer b, double offset) {
            b.putInt(0, 348);
            for (int i = 0; i < 8; i++) {
                b.putShort(40 + 2 * i, (short) dim[i]);
            }
            b.putShort(70, (short) datatype);
            b.putShort(72, (short) (8 * bytesPerVoxel(datatype)));
            for (int i = 0; i < 8; i++) {
                b.putFloat(76 + 4 * i, (float) pixdim[i]);
            }
            b.putFloat(108, (float) offset);
            b.putFloat(112, (float) slope);
            b.putFloat(116, (float) inter);
            b.put(123, (byte) xyztUnits);
            b.putShort(252, (short) qformCode);
            b.putShort(254, (short) sformCode);
            for (int i = 0; i < 3; i++) {
                b.putFloat(256 + 4 * i, (float) quatern[i]);
                b.putFloat(268 + 4 * i, (float) qoffset[i]);
            }
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    b.putFloat(280 + 16 * r + 4 * c, (float) srow[r][c]);
                }
            }
            b.put(344, magic != null ? magic : new byte[] {'n', '+', '1', 0});
        }

        private void writeNifti2(ByteBuffer b, double offset) {
            b.putInt(0, 540);
            b.put(4, magic != null ? magic : new byte[] {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'});
            b.putShort(12, (short) datatype);
            b.putShort(14, (short) (8 * bytesPerVoxel(datatype)));
            for (int i = 0; i < 8; i++) {
                b.putLong(16 + 8 * i, dim[i]);
                b.putDouble(104 + 8 * i, pixdim[i]);
            }
            b.putLong(168, (long) offset);
            b.putDouble(176, slope);
            b.putDouble(184, inter);
            b.putInt(344, qformCode);
            b.putInt(348, sformCode);
            for (int i = 0; i < 3; i++) {
                b.putDouble(352 + 8 * i, quatern[i]);
                b.putDouble(376 + 8 * i, qoffset[i]);
            }
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    b.putDouble(400 + 32 * r + 8 * c, srow[r][c]);
                }
            }
            b.putInt(500, xyztUnits);
        }
    }

    static int bytesPerVoxel(int datatype) {
        return switch (datatype) {
            case UINT8, INT8 -> 1;
            case INT16, UINT16 -> 2;
            case INT32, UINT32, FLOAT32 -> 4;
            case INT64, FLOAT64, COMPLEX64 -> 8;
            default -> 1;
        };
    }

    /** Values (assumed representable) in a datatype and byte order. */
    static byte[] encode(double[] values, int datatype, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(values.length * bytesPerVoxel(datatype)).order(order);
        for (double v : values) {
            switch (datatype) {
                case UINT8, INT8 -> b.put((byte) (long) v);
                case INT16, UINT16 -> b.putShort((short) (long) v);
                case INT32, UINT32 -> b.putInt((int) (long) v);
                case INT64 -> b.putLong((long) v);
                case FLOAT32 -> b.putFloat((float) v);
                case FLOAT64 -> b.putDouble(v);
                case COMPLEX64 -> b.putFloat((float) v).putFloat(0f);
                default -> b.put((byte) 0);
            }
        }
        return b.array();
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

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 0, 1, 2, ... as doubles. */
    static double[] ramp(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }
}
