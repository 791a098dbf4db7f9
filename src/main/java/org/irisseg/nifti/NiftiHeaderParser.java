package org.irisseg.nifti;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Parses and checks the fixed NIfTI-1 (348 bytes) or NIfTI-2 (540 bytes) header at the start of an
 * uncompressed stream. Version and byte order come from {@code sizeof_hdr}. Every size and offset is
 * checked against the {@link NiftiLimits} before any voxel data is touched.
 */
final class NiftiHeaderParser {

    static final int NIFTI1_HEADER_SIZE = 348;
    static final int NIFTI2_HEADER_SIZE = 540;
    private static final byte[] NIFTI1_MAGIC = {'n', '+', '1', 0};
    private static final byte[] NIFTI1_PAIR_MAGIC = {'n', 'i', '1', 0};
    private static final byte[] NIFTI2_MAGIC = {'n', '+', '2', 0};
    private static final byte[] NIFTI2_PAIR_MAGIC = {'n', 'i', '2', 0};
    private static final byte[] NIFTI2_EOL_CHECK = {'\r', '\n', 0x1a, '\n'};

    private NiftiHeaderParser() {
    }

    /**
     * Reads exactly the fixed header from {@code in} (positioned at byte 0 of the uncompressed file).
     *
     * @throws NiftiException for anything that makes the header unusable
     * @throws IOException    from the stream (gzip errors are mapped by the caller)
     */
    static NiftiHeader parse(InputStream in, NiftiLimits limits) throws IOException {
        byte[] first = in.readNBytes(4);
        if (first.length < 4) {
            throw notNifti("the file is empty or shorter than a NIfTI header");
        }
        int sizeLe = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int sizeBe = ByteBuffer.wrap(first).order(ByteOrder.BIG_ENDIAN).getInt();
        int version;
        ByteOrder order;
        if (sizeLe == NIFTI1_HEADER_SIZE || sizeLe == NIFTI2_HEADER_SIZE) {
            order = ByteOrder.LITTLE_ENDIAN;
            version = sizeLe == NIFTI1_HEADER_SIZE ? 1 : 2;
        } else if (sizeBe == NIFTI1_HEADER_SIZE || sizeBe == NIFTI2_HEADER_SIZE) {
            order = ByteOrder.BIG_ENDIAN;
            version = sizeBe == NIFTI1_HEADER_SIZE ? 1 : 2;
        } else {
            throw notNifti("the file does not start with a NIfTI-1 or NIfTI-2 header (sizeof_hdr is neither 348 nor 540)");
        }
        int size = version == 1 ? NIFTI1_HEADER_SIZE : NIFTI2_HEADER_SIZE;
        byte[] bytes = Arrays.copyOf(first, size);
        int n = in.readNBytes(bytes, 4, size - 4);
        if (n < size - 4) {
            throw new NiftiException(NiftiException.Kind.CORRUPT,
                    "the file is truncated: it ends inside the " + size + "-byte NIfTI-" + version + " header");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(order);
        NiftiHeader header = version == 1 ? parseNifti1(buf) : parseNifti2(buf);
        checkSizes(header, limits);
        checkScaling(header);
        header.affine(); // throws INVALID_GEOMETRY for singular or non-finite geometry
        return header;
    }

    private static NiftiHeader parseNifti1(ByteBuffer b) {
        byte[] magic = slice(b, 344, 4);
        if (!Arrays.equals(magic, NIFTI1_MAGIC)) {
            if (Arrays.equals(magic, NIFTI1_PAIR_MAGIC)) {
                throw notNifti("this is the .hdr of a two-file NIfTI-1 pair (.hdr/.img);"
                        + " convert it to a single .nii or .nii.gz file");
            }
            throw notNifti("the NIfTI-1 magic is missing (an Analyze 7.5 file or a damaged header);"
                    + " convert the volume to a single .nii or .nii.gz NIfTI file");
        }
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = b.getShort(40 + 2 * i);
        }
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            pixdim[i] = b.getFloat(76 + 4 * i);
        }
        NiftiDatatype datatype = NiftiDatatype.fromCode(b.getShort(70));
        long voxOffset = voxOffset(b.getFloat(108), NIFTI1_HEADER_SIZE);
        return NiftiHeader.builder()
                .version(1)
                .byteOrder(b.order())
                .dim(checkDims(dim))
                .pixdim(pixdim)
                .datatype(datatype)
                .voxOffset(voxOffset)
                .scaling(b.getFloat(112), b.getFloat(116))
                .xyztUnits(b.get(123) & 0xff)
                .intentCode(b.getShort(68))
                .qform(b.getShort(252), b.getFloat(256), b.getFloat(260), b.getFloat(264),
                        b.getFloat(268), b.getFloat(272), b.getFloat(276))
                .sform(b.getShort(254), floats(b, 280), floats(b, 296), floats(b, 312))
                .build();
    }

    private static NiftiHeader parseNifti2(ByteBuffer b) {
        byte[] magic = slice(b, 4, 4);
        if (!Arrays.equals(magic, NIFTI2_MAGIC)) {
            if (Arrays.equals(magic, NIFTI2_PAIR_MAGIC)) {
                throw notNifti("this is the .hdr of a two-file NIfTI-2 pair (.hdr/.img);"
                        + " convert it to a single .nii or .nii.gz file");
            }
            throw notNifti("the NIfTI-2 magic is missing; convert the volume to a single .nii or .nii.gz NIfTI file");
        }
        byte[] eol = slice(b, 8, 4);
        if (!Arrays.equals(eol, NIFTI2_EOL_CHECK) && !Arrays.equals(eol, new byte[4])) {
            throw new NiftiException(NiftiException.Kind.CORRUPT,
                    "the NIfTI-2 header's line-ending check bytes are altered: the file was probably transferred"
                            + " as text; transfer it again in binary mode");
        }
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = b.getLong(16 + 8 * i);
        }
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            pixdim[i] = b.getDouble(104 + 8 * i);
        }
        NiftiDatatype datatype = NiftiDatatype.fromCode(b.getShort(12));
        long voxOffset = b.getLong(168);
        if (voxOffset == 0) {
            voxOffset = NIFTI2_HEADER_SIZE + 4;
        } else if (voxOffset < NIFTI2_HEADER_SIZE + 4) {
            throw badOffset(String.valueOf(voxOffset), NIFTI2_HEADER_SIZE + 4);
        }
        return NiftiHeader.builder()
                .version(2)
                .byteOrder(b.order())
                .dim(checkDims(dim))
                .pixdim(pixdim)
                .datatype(datatype)
                .voxOffset(voxOffset)
                .scaling(b.getDouble(176), b.getDouble(184))
                .xyztUnits(b.getInt(500))
                .intentCode(b.getInt(504))
                .qform(b.getInt(344), b.getDouble(352), b.getDouble(360), b.getDouble(368),
                        b.getDouble(376), b.getDouble(384), b.getDouble(392))
                .sform(b.getInt(348), doubles(b, 400), doubles(b, 432), doubles(b, 464))
                .build();
    }

    /** NIfTI-1 stores vox_offset as a float; 0 means "right after the header" as nibabel reads it. */
    private static long voxOffset(float stored, int headerSize) {
        if (stored == 0) {
            return headerSize + 4;
        }
        if (!Float.isFinite(stored) || stored != Math.rint(stored) || stored < headerSize + 4 || stored > 1e15) {
            throw badOffset(Float.toString(stored), headerSize + 4);
        }
        return (long) stored;
    }

    private static NiftiException badOffset(String value, int minimum) {
        return new NiftiException(NiftiException.Kind.CORRUPT,
                "vox_offset " + value + " is not a valid data offset (a whole number of at least " + minimum
                        + " for a single-file NIfTI); the header does not match the data");
    }

    /** Checks dim[0] and the sizes; only singleton dimensions are allowed past the third. */
    private static long[] checkDims(long[] dim) {
        if (dim[0] < 1 || dim[0] > 7) {
            throw new NiftiException(NiftiException.Kind.CORRUPT,
                    "dim[0] (the number of dimensions) is " + dim[0] + ", outside 1..7; the header is damaged");
        }
        for (int i = 1; i <= dim[0]; i++) {
            if (dim[i] < 1) {
                throw new NiftiException(NiftiException.Kind.INVALID_GEOMETRY,
                        "dimension " + i + " has size " + dim[i] + "; every size in dim[1.." + dim[0] + "] must be positive");
            }
        }
        for (int i = 4; i <= dim[0]; i++) {
            if (dim[i] != 1) {
                throw new NiftiException(NiftiException.Kind.INVALID_GEOMETRY,
                        "the file holds more than one 3D volume (dim[" + i + "] = " + dim[i]
                                + "); send a single 3D volume (split the series and upload one volume)");
            }
        }
        return dim;
    }

    private static void checkSizes(NiftiHeader h, NiftiLimits limits) {
        long[] dim = h.dim();
        long voxels = 1;
        for (int i = 1; i <= dim[0]; i++) {
            if (dim[i] > limits.maxVoxels()) {
                voxels = Long.MAX_VALUE;
                break;
            }
            voxels = multiplyOrMax(voxels, dim[i]);
        }
        if (voxels > limits.maxVoxels()) {
            throw new NiftiException(NiftiException.Kind.TOO_LARGE,
                    "the volume has " + describeSize(dim) + " voxels, more than the limit of " + limits.maxVoxels()
                            + " voxels; crop or downsample it before upload");
        }
        long dataBytes = voxels * h.datatype().bytesPerVoxel();
        long total = h.voxOffset() > limits.maxDecompressedBytes() ? Long.MAX_VALUE : h.voxOffset() + dataBytes;
        if (total > limits.maxDecompressedBytes()) {
            throw new NiftiException(NiftiException.Kind.TOO_LARGE,
                    "the uncompressed file would be " + (total == Long.MAX_VALUE ? "over " + limits.maxDecompressedBytes()
                            : String.valueOf(total)) + " bytes (header, extensions and voxel data), more than the limit of "
                            + limits.maxDecompressedBytes() + " bytes");
        }
    }

    private static void checkScaling(NiftiHeader h) {
        double slope = h.sclSlope();
        boolean slopeUsed = slope != 0 && Double.isFinite(slope);
        if (slopeUsed && !Double.isFinite(h.sclInter())) {
            throw new NiftiException(NiftiException.Kind.CORRUPT,
                    "scl_slope is set but scl_inter is not a finite number; the intensity scaling in the header is damaged");
        }
    }

    private static long multiplyOrMax(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String describeSize(long[] dim) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i <= dim[0]; i++) {
            if (i > 1) {
                s.append('x');
            }
            s.append(dim[i]);
        }
        return s.toString();
    }

    private static byte[] slice(ByteBuffer b, int offset, int length) {
        byte[] out = new byte[length];
        b.get(offset, out);
        return out;
    }

    private static double[] floats(ByteBuffer b, int offset) {
        return new double[] {b.getFloat(offset), b.getFloat(offset + 4), b.getFloat(offset + 8), b.getFloat(offset + 12)};
    }

    private static double[] doubles(ByteBuffer b, int offset) {
        return new double[] {b.getDouble(offset), b.getDouble(offset + 8), b.getDouble(offset + 16), b.getDouble(offset + 24)};
    }

    private static NiftiException notNifti(String message) {
        return new NiftiException(NiftiException.Kind.NOT_NIFTI, message);
    }

}
