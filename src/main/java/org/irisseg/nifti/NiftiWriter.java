package org.irisseg.nifti;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes volumes as gzip-compressed single-file NIfTI-1 ({@code .nii.gz}, little endian) that carry the
 * geometry of a given header (typically the query's): dims, pixdim (with qfac), qform and sform with
 * their codes, and xyzt units are copied; scl_slope 1, scl_inter 0.
 *
 * <p>The deflate level defaults to {@value #DEFAULT_LEVEL}: label maps are highly redundant, and level 1
 * compresses them several times faster than gzip's default level 6 while the files stay small.
 */
public final class NiftiWriter {

    /** Deflate level used by {@link #NiftiWriter()}. */
    public static final int DEFAULT_LEVEL = 1;

    /** Largest label a written label map holds (uint16); every label the service accepts fits. */
    public static final int MAX_LABEL = 0xffff;

    /** NIFTI_INTENT_LABEL: voxel values are labels. */
    static final int INTENT_LABEL = 1002;

    private static final int CHUNK_VOXELS = 1 << 18;

    private final int level;

    public NiftiWriter() {
        this(DEFAULT_LEVEL);
    }

    /** @param level deflate level 0 (store) .. 9 (smallest) */
    public NiftiWriter(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("deflate level must be 0..9, got " + level);
        }
        this.level = level;
    }

    /**
     * Writes labels (native voxel order of {@code geometry}, x fastest) as uint8 when the largest is at
     * most 255, else uint16. The stream is not closed.
     *
     * @throws NiftiException {@code INVALID_VALUES} for a negative label or one above {@link #MAX_LABEL}
     */
    public void writeLabelMap(OutputStream out, NiftiHeader geometry, int[] labelsNativeOrder) {
        requireLength(geometry, labelsNativeOrder.length);
        int max = 0;
        for (int v : labelsNativeOrder) {
            if (v < 0) {
                throw new NiftiException(NiftiException.Kind.INVALID_VALUES, "a label map cannot hold negative labels");
            }
            max = Math.max(max, v);
        }
        if (max > MAX_LABEL) {
            throw new NiftiException(NiftiException.Kind.INVALID_VALUES,
                    "label " + max + " does not fit a uint16 label map (at most " + MAX_LABEL + ")");
        }
        NiftiDatatype type = max <= 0xff ? NiftiDatatype.UINT8 : NiftiDatatype.UINT16;
        byte[] header = Nifti1HeaderEncoder.encode(geometry, type, INTENT_LABEL, 0, max, "Iris segmentation labels");
        try {
            GZIPOutputStream gz = gzip(out);
            gz.write(header);
            int bytesPerVoxel = type.bytesPerVoxel();
            byte[] chunk = new byte[Math.min(labelsNativeOrder.length, CHUNK_VOXELS) * bytesPerVoxel];
            for (int at = 0; at < labelsNativeOrder.length; at += CHUNK_VOXELS) {
                int n = Math.min(CHUNK_VOXELS, labelsNativeOrder.length - at);
                if (type == NiftiDatatype.UINT8) {
                    for (int i = 0; i < n; i++) {
                        chunk[i] = (byte) labelsNativeOrder[at + i];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        int v = labelsNativeOrder[at + i];
                        chunk[2 * i] = (byte) v;
                        chunk[2 * i + 1] = (byte) (v >>> 8);
                    }
                }
                gz.write(chunk, 0, n * bytesPerVoxel);
            }
            gz.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #writeLabelMap} into a byte array. */
    public byte[] labelMapGz(NiftiHeader geometry, int[] labelsNativeOrder) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writeLabelMap(bytes, geometry, labelsNativeOrder);
        return bytes.toByteArray();
    }

    /**
     * Writes float32 values (native voxel order of {@code geometry}), e.g. a probability map, with the
     * geometry of {@code geometry}. The stream is not closed.
     */
    public void writeImage(OutputStream out, NiftiHeader geometry, float[] valuesNativeOrder) {
        requireLength(geometry, valuesNativeOrder.length);
        byte[] header = Nifti1HeaderEncoder.encode(geometry, NiftiDatatype.FLOAT32, 0, 0, 0, "Iris");
        writeFloats(out, header, valuesNativeOrder);
    }

    /**
     * Writes {@code volumes} float32 volumes on the grid of {@code geometry} as one 4D file (the fourth axis
     * runs over the volumes), e.g. one probability map per class.
     *
     * @param valuesNativeOrder volumes x X*Y*Z values, each volume in the native voxel order of {@code geometry}
     * @return the .nii.gz file
     */
    public byte[] volumesGz(NiftiHeader geometry, float[] valuesNativeOrder, int volumes, String description) {
        if (volumes < 1 || (long) volumes * geometry.voxelCount() != valuesNativeOrder.length) {
            throw new IllegalArgumentException(valuesNativeOrder.length + " values for " + volumes + " volumes of "
                    + geometry.voxelCount() + " voxels");
        }
        int[] d = geometry.spatialDims();
        double[] pixdim = geometry.pixdim().clone();
        pixdim[4] = 1;
        NiftiHeader header = geometry.toBuilder().dim(4, d[0], d[1], d[2], volumes, 1, 1, 1).pixdim(pixdim).build();
        byte[] encoded = Nifti1HeaderEncoder.encode(header, NiftiDatatype.FLOAT32, 0, 0, 1, description);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writeFloats(bytes, encoded, valuesNativeOrder);
        return bytes.toByteArray();
    }

    /**
     * Re-writes a decoded volume with nothing but its geometry and voxels: dims, pixdim, qform and sform
     * with their codes and xyzt units are copied from its header, no text field (descrip, aux_file,
     * db_name, intent_name) and no extension is written, whatever the source held. Reading the file back
     * gives every voxel's float32 bit for bit ({@link ExactEncoding}: the source's datatype and scaling when
     * they hold the values exactly, else float32), and the geometry exactly: a NIfTI-1 source is written as
     * NIfTI-1 (its float32 fields unchanged), a NIfTI-2 source as NIfTI-2 (doubles, 64-bit sizes). The
     * stream is not closed.
     */
    public void writeVolume(OutputStream out, NiftiImage decoded) {
        NiftiHeader geometry = decoded.header();
        ExactEncoding encoding = ExactEncoding.of(decoded);
        byte[] header = geometry.version() == 2
                ? Nifti2HeaderEncoder.encode(geometry, encoding.datatype(), encoding.slope(), encoding.inter())
                : Nifti1HeaderEncoder.encode(geometry, encoding.datatype(), encoding.slope(), encoding.inter(), 0, 0, 0,
                        "");
        try {
            GZIPOutputStream gz = gzip(out);
            gz.write(header);
            encoding.write(gz, decoded.data());
            gz.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gzips {@code header} then {@code values} as little-endian float32, in bounded chunks; the stream is not closed. */
    private void writeFloats(OutputStream out, byte[] header, float[] values) {
        try {
            GZIPOutputStream gz = gzip(out);
            gz.write(header);
            ByteBuffer chunk = ByteBuffer.allocate(Math.min(values.length, CHUNK_VOXELS) * 4)
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at < values.length; at += CHUNK_VOXELS) {
                int n = Math.min(CHUNK_VOXELS, values.length - at);
                chunk.clear();
                chunk.asFloatBuffer().put(values, at, n);
                gz.write(chunk.array(), 0, n * 4);
            }
            gz.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private GZIPOutputStream gzip(OutputStream out) throws IOException {
        int deflateLevel = level;
        return new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(deflateLevel);
                def.setStrategy(Deflater.DEFAULT_STRATEGY);
            }
        };
    }

    private static void requireLength(NiftiHeader geometry, int length) {
        if (geometry.voxelCount() != length) {
            int[] d = geometry.spatialDims();
            throw new IllegalArgumentException("expected " + geometry.voxelCount() + " values for "
                    + d[0] + "x" + d[1] + "x" + d[2] + ", got " + length);
        }
    }
}
