package org.irisseg.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the 348-byte NIfTI-1 header plus the 4-byte empty extension flag (352 bytes, little endian)
 * for a volume that carries the geometry of another header (NIfTI-1 or NIfTI-2) with a new datatype.
 */
final class Nifti1HeaderEncoder {

    static final int VOX_OFFSET = 352;

    private Nifti1HeaderEncoder() {
    }

    /**
     * @param geometry  header whose dims, pixdim, qform, sform and xyzt units are copied
     * @param datatype  datatype of the voxel data that follows
     * @param intent    NIfTI intent code (e.g. 1002 = label)
     * @param calMin    display range minimum
     * @param calMax    display range maximum
     * @param descrip   up to 79 ASCII characters
     */
    static byte[] encode(NiftiHeader geometry, NiftiDatatype datatype, int intent, double calMin, double calMax,
                         String descrip) {
        return encode(geometry, datatype, 1, 0, intent, calMin, calMax, descrip);
    }

    /**
     * The header of a volume stored with {@code datatype} and the scaling {@code scl_slope}, {@code scl_inter}
     * (written as float32); other fields as {@link #encode(NiftiHeader, NiftiDatatype, int, double, double, String)}.
     */
    static byte[] encode(NiftiHeader geometry, NiftiDatatype datatype, double sclSlope, double sclInter, int intent,
                         double calMin, double calMax, String descrip) {
        ByteBuffer b = ByteBuffer.allocate(VOX_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, NiftiHeaderParser.NIFTI1_HEADER_SIZE);
        b.put(38, (byte) 'r'); // "regular", as written by nibabel and FSL
        long[] dim = geometry.dim();
        for (int i = 0; i < 8; i++) {
            if (dim[i] > Short.MAX_VALUE) {
                throw new NiftiException(NiftiException.Kind.INVALID_GEOMETRY,
                        "dimension " + i + " has size " + dim[i] + ", too large for a NIfTI-1 file (at most 32767)");
            }
            b.putShort(40 + 2 * i, (short) dim[i]);
        }
        b.putShort(68, (short) intent);
        b.putShort(70, (short) datatype.code());
        b.putShort(72, (short) (8 * datatype.bytesPerVoxel()));
        double[] pixdim = geometry.pixdim();
        for (int i = 0; i < 8; i++) {
            b.putFloat(76 + 4 * i, (float) pixdim[i]);
        }
        b.putFloat(108, VOX_OFFSET);
        b.putFloat(112, (float) sclSlope);
        b.putFloat(116, (float) sclInter);
        b.put(123, (byte) geometry.xyztUnits());
        b.putFloat(124, (float) calMax);
        b.putFloat(128, (float) calMin);
        byte[] text = descrip.getBytes(StandardCharsets.US_ASCII);
        b.put(148, text, 0, Math.min(text.length, 79));
        b.putShort(252, (short) geometry.qformCode());
        b.putShort(254, (short) geometry.sformCode());
        b.putFloat(256, (float) geometry.quaternB());
        b.putFloat(260, (float) geometry.quaternC());
        b.putFloat(264, (float) geometry.quaternD());
        b.putFloat(268, (float) geometry.qoffsetX());
        b.putFloat(272, (float) geometry.qoffsetY());
        b.putFloat(276, (float) geometry.qoffsetZ());
        putRow(b, 280, geometry.srowX());
        putRow(b, 296, geometry.srowY());
        putRow(b, 312, geometry.srowZ());
        b.put(344, new byte[] {'n', '+', '1', 0});
        return b.array();
    }

    private static void putRow(ByteBuffer b, int offset, double[] row) {
        for (int i = 0; i < 4; i++) {
            b.putFloat(offset + 4 * i, (float) row[i]);
        }
    }
}
