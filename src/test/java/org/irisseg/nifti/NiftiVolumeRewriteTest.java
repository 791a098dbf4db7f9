package org.irisseg.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * A decoded volume re-written by {@link NiftiWriter#writeVolume}: no text field or extension survives, and
 * reading it back gives every voxel bit for bit and the geometry exactly, in the source's datatype and
 * scaling where those hold the values, else float32.
 */
class NiftiVolumeRewriteTest {

    private final NiftiReader reader = new NiftiReader(NiftiLimits.defaults());

    private NiftiImage rewritten(NiftiImage decoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new NiftiWriter().writeVolume(out, decoded);
        return reader.readImage(new ByteArrayInputStream(out.toByteArray()));
    }

    private static void assertSameVoxels(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "voxel " + i);
        }
    }

    @Test
    void aScaledInt16VolumeKeepsItsDatatypeAndScaling() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.datatype = NiftiFixtures.INT16;
        spec.slope = 0.37;
        spec.inter = -1024.5;
        spec.values(-32768, -1, 0, 1, 77, 1000, 2047, 4095, 32767, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        NiftiImage decoded = reader.readImage(new ByteArrayInputStream(spec.bytes()));

        NiftiImage back = rewritten(decoded);

        assertEquals(NiftiDatatype.INT16, back.header().datatype());
        assertEquals(decoded.header().sclSlope(), back.header().sclSlope());
        assertEquals(decoded.header().sclInter(), back.header().sclInter());
        assertSameVoxels(decoded.data(), back.data());
    }

    @Test
    void textFieldsAndExtensionsAreNotWritten() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.extension = new byte[32];
        byte[] secret = "DOE^JOHN".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(new byte[] {32, 0, 0, 0, 6, 0, 0, 0}, 0, spec.extension, 0, 8);
        System.arraycopy(secret, 0, spec.extension, 8, secret.length);
        spec.values(NiftiFixtures.ramp(24));
        byte[] source = spec.bytes();
        System.arraycopy(secret, 0, source, 148, secret.length);
        NiftiImage decoded = reader.readImage(new ByteArrayInputStream(source));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new NiftiWriter(0).writeVolume(out, decoded);
        String written = out.toString(StandardCharsets.ISO_8859_1);

        assertEquals(-1, written.indexOf("DOE^JOHN"));
        assertSameVoxels(decoded.data(), rewritten(decoded).data());
    }

    @Test
    void aNifti2SourceKeepsItsDoubleGeometryExactly() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.version = 2;
        spec.order = ByteOrder.BIG_ENDIAN;
        spec.qformCode = 1;
        spec.quatern = new double[] {0.1, -0.2, 0.3};
        spec.qoffset = new double[] {-90.123456789012, 12.25, 40};
        spec.pixdim = new double[] {-1, 0.8123456789012, 0.9, 2.5, 1.5, 0, 0, 0};
        spec.sformCode = 4;
        spec.srow = new double[][] {{-0.8123456789012, 0, 0, 90.1}, {0, 0.9, 0.01, -126}, {0, 0, 2.5, -72}};
        spec.values(NiftiFixtures.ramp(24));
        NiftiImage decoded = reader.readImage(new ByteArrayInputStream(spec.bytes()));

        NiftiHeader back = rewritten(decoded).header();

        assertEquals(2, back.version());
        assertArrayEquals(decoded.header().pixdim(), back.pixdim());
        assertArrayEquals(decoded.header().srowX(), back.srowX());
        assertEquals(decoded.header().qoffsetX(), back.qoffsetX());
        assertEquals(decoded.header().quaternC(), back.quaternC());
        assertArrayEquals(decoded.header().dim(), back.dim());
    }

    @Test
    void valuesTheSourceDatatypeCannotHoldAreWrittenAsFloat32() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.datatype = NiftiFixtures.FLOAT64;
        spec.values(0.1, 1e-30, -3.5, 1e30, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, -0.0);
        NiftiImage decoded = reader.readImage(new ByteArrayInputStream(spec.bytes()));

        NiftiImage back = rewritten(decoded);

        assertEquals(NiftiDatatype.FLOAT32, back.header().datatype());
        assertSameVoxels(decoded.data(), back.data());
    }

    @Test
    void aUint8LabelMapStaysUint8() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.datatype = NiftiFixtures.UINT8;
        spec.values(0, 1, 2, 255, 0, 0, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0);
        NiftiImage decoded = reader.readLabelMap(new ByteArrayInputStream(spec.bytes()));

        NiftiImage back = reader.readLabelMap(new ByteArrayInputStream(gz(decoded)));

        assertEquals(NiftiDatatype.UINT8, back.header().datatype());
        assertSameVoxels(decoded.data(), back.data());
    }

    private static byte[] gz(NiftiImage decoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new NiftiWriter().writeVolume(out, decoded);
        return out.toByteArray();
    }
}
