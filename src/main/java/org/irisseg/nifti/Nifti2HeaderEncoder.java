package org.irisseg.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes the 540-byte NIfTI-2 header plus the 4-byte empty extension flag (544 bytes, little endian) for a
 * volume that carries the geometry of a NIfTI-2 header exactly (doubles and 64-bit sizes stay as they are).
 * Every text field (descrip, aux_file, intent_name) is left empty.
 */
final class Nifti2HeaderEncoder {

    static final int VOX_OFFSET = 544;

    private Nifti2HeaderEncoder() {
    }

    /**
     * @param geometry header whose dims, pixdim, qform, sform and xyzt units are copied
     * @param datatype datatype of the voxel data that follows
     * @param sclSlope {@code scl_slope} of the voxel data
     * @param sclInter {@code scl_inter} of the voxel data
     */
    static byte[] encode(NiftiHeader geometry, NiftiDatatype datatype, double sclSlope, double sclInter) {
        ByteBuffer b = ByteBuffer.allocate(VOX_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, NiftiHeaderParser.NIFTI2_HEADER_SIZE);
        b.put(4, new byte[] {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'});
        b.putShort(12, (short) datatype.code());
        b.putShort(14, (short) (8 * datatype.bytesPerVoxel()));
        long[] dim = geometry.dim();
        double[] pixdim = geometry.pixdim();
        for (int i = 0; i < 8; i++) {
            b.putLong(16 + 8 * i, dim[i]);
            b.putDouble(104 + 8 * i, pixdim[i]);
        }
        b.putLong(168, VOX_OFFSET);
        b.putDouble(176, sclSlope);
        b.putDouble(184, sclInter);
        b.putInt(344, geometry.qformCode());
        b.putInt(348, geometry.sformCode());
        b.putDouble(352, geometry.quaternB());
        b.putDouble(360, geometry.quaternC());
        b.putDouble(368, geometry.quaternD());
        b.putDouble(376, geometry.qoffsetX());
        b.putDouble(384, geometry.qoffsetY());
        b.putDouble(392, geometry.qoffsetZ());
        putRow(b, 400, geometry.srowX());
        putRow(b, 432, geometry.srowY());
        putRow(b, 464, geometry.srowZ());
        b.putInt(500, geometry.xyztUnits());
        return b.array();
    }

    private static void putRow(ByteBuffer b, int offset, double[] row) {
        for (int i = 0; i < 4; i++) {
            b.putDouble(offset + 8 * i, row[i]);
        }
    }
}
