package org.irisseg.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Label maps written as NIfTI-1 .nii.gz carry the query's geometry and the smallest fitting datatype. */
class NiftiWriterTest {

    private final NiftiReader reader = new NiftiReader(NiftiLimits.defaults());
    private final NiftiWriter writer = new NiftiWriter();

    /** An oblique qform plus a different sform, qfac -1, mm + sec units, NIfTI-2 big endian. */
    private static NiftiHeader query() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.version = 2;
        spec.order = ByteOrder.BIG_ENDIAN;
        spec.qformCode = 1;
        spec.quatern = new double[] {0.1, -0.2, 0.3};
        spec.qoffset = new double[] {-90.5, 12.25, 40};
        spec.pixdim = new double[] {-1, 0.8, 0.9, 2.5, 1.5, 0, 0, 0};
        spec.sformCode = 4;
        spec.srow = new double[][] {{-0.8, 0, 0, 90}, {0, 0.9, 0.01, -126}, {0, 0, 2.5, -72}};
        spec.xyztUnits = 2 | 8;
        spec.values(NiftiFixtures.ramp(24));
        return new NiftiReader(NiftiLimits.defaults()).readImage(new ByteArrayInputStream(spec.bytes())).header();
    }

    private static byte[] gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void smallLabelsAreWrittenAsUint8WithTheQueryGeometry() {
        NiftiHeader geometry = query();
        int[] labels = new int[24];
        labels[5] = 3;
        labels[23] = 255;
        byte[] gz = writer.labelMapGz(geometry, labels);

        NiftiImage back = reader.readLabelMap(new ByteArrayInputStream(gz));
        NiftiHeader h = back.header();
        assertEquals(1, h.version());
        assertEquals(NiftiDatatype.UINT8, h.datatype());
        assertEquals(3f, back.data()[5]);
        assertEquals(255f, back.data()[23]);
        assertArrayEquals(geometry.dim(), h.dim());
        assertArrayEquals(geometry.pixdim(), h.pixdim(), 1e-7);
        assertEquals(1, h.qformCode());
        assertEquals(4, h.sformCode());
        assertEquals(geometry.quaternB(), h.quaternB(), 1e-7);
        assertEquals(geometry.quaternC(), h.quaternC(), 1e-7);
        assertEquals(geometry.quaternD(), h.quaternD(), 1e-7);
        assertEquals(geometry.qoffsetX(), h.qoffsetX(), 1e-5);
        assertArrayEquals(geometry.srowY(), h.srowY(), 1e-6);
        assertEquals(10, h.xyztUnits());
        assertEquals(NiftiWriter.INTENT_LABEL, h.intentCode());
        NiftiReaderTest.assertAffine(geometry.affine(), h.affine());

        ByteBuffer raw = ByteBuffer.wrap(gunzip(gz)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(352 + 24, raw.capacity());
        assertEquals(348, raw.getInt(0));
        assertEquals(1f, raw.getFloat(112));
        assertEquals(0f, raw.getFloat(116));
    }

    @Test
    void largerLabelsAreWrittenAsUint16AndOver65535Refused() {
        NiftiHeader geometry = query();
        int[] labels = new int[24];
        labels[1] = 256;
        labels[2] = 65535;
        NiftiImage back = reader.readLabelMap(new ByteArrayInputStream(writer.labelMapGz(geometry, labels)));
        assertEquals(NiftiDatatype.UINT16, back.header().datatype());
        assertEquals(256f, back.data()[1]);
        assertEquals(65535f, back.data()[2]);

        labels[2] = 65536;
        NiftiException e = assertThrows(NiftiException.class, () -> writer.labelMapGz(geometry, labels));
        assertEquals(NiftiException.Kind.INVALID_VALUES, e.kind());
        labels[2] = -1;
        assertThrows(NiftiException.class, () -> writer.labelMapGz(geometry, labels));
        assertThrows(IllegalArgumentException.class, () -> writer.labelMapGz(geometry, new int[23]));
    }

    @Test
    void floatImagesRoundTripBitForBit() {
        NiftiHeader geometry = query();
        float[] values = new float[24];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i) * 1e3f;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeImage(out, geometry, values);
        NiftiImage back = reader.readImage(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(NiftiDatatype.FLOAT32, back.header().datatype());
        assertArrayEquals(values, back.data());
    }

    @Test
    void geometryTooLargeForNifti1IsRefused() {
        NiftiHeader wide = NiftiHeader.builder().version(2).spatialDims(40000, 1, 1).build();
        NiftiException e = assertThrows(NiftiException.class, () -> writer.labelMapGz(wide, new int[40000]));
        assertEquals(NiftiException.Kind.INVALID_GEOMETRY, e.kind());
    }

    @Test
    void everyDeflateLevelWritesTheSameVolume() {
        NiftiHeader geometry = query();
        int[] labels = new int[24];
        labels[7] = 9;
        for (int level : new int[] {0, 1, 6, 9}) {
            byte[] gz = new NiftiWriter(level).labelMapGz(geometry, labels);
            assertEquals(9f, reader.readLabelMap(new ByteArrayInputStream(gz)).data()[7]);
        }
        assertThrows(IllegalArgumentException.class, () -> new NiftiWriter(10));
    }
}
