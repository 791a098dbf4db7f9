package org.irisseg.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading synthetic files of every datatype, byte order and header version, scaling and geometry source. */
class NiftiReaderTest {

    private final NiftiReader reader = new NiftiReader(NiftiLimits.defaults());

    @TempDir
    Path dir;

    /** 24 values (2x3x4) covering each datatype's extremes, all exact in float32. */
    static double[] valuesFor(int datatype) {
        double[] extremes = switch (datatype) {
            case NiftiFixtures.UINT8 -> new double[] {0, 255, 128};
            case NiftiFixtures.INT8 -> new double[] {-128, 127, -1};
            case NiftiFixtures.INT16 -> new double[] {-32768, 32767, -1};
            case NiftiFixtures.UINT16 -> new double[] {0, 65535, 40000};
            case NiftiFixtures.INT32 -> new double[] {-16777216, 16777216, -1};
            case NiftiFixtures.UINT32 -> new double[] {0, 4294967040.0, 3000000000.0};
            case NiftiFixtures.INT64 -> new double[] {-16777216, 1099511627776.0, -1};
            case NiftiFixtures.FLOAT32 -> new double[] {-3.4e38, 1.5e-40, -0.25};
            case NiftiFixtures.FLOAT64 -> new double[] {-3.0e38, 1.0e-30, 0.125};
            default -> throw new IllegalArgumentException();
        };
        double[] v = NiftiFixtures.ramp(24);
        System.arraycopy(extremes, 0, v, 5, extremes.length);
        return v;
    }

    static Stream<Arguments> datatypesOrdersVersions() {
        int[] types = {NiftiFixtures.UINT8, NiftiFixtures.INT8, NiftiFixtures.INT16, NiftiFixtures.UINT16,
                NiftiFixtures.INT32, NiftiFixtures.UINT32, NiftiFixtures.INT64, NiftiFixtures.FLOAT32, NiftiFixtures.FLOAT64};
        List<Arguments> out = new ArrayList<>();
        for (int t : types) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                for (int version : new int[] {1, 2}) {
                    out.add(Arguments.of(t, order, version));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "datatype {0}, {1}, NIfTI-{2}")
    @MethodSource("datatypesOrdersVersions")
    void readsEveryDatatypeInBothByteOrdersAndVersions(int datatype, ByteOrder order, int version) {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.version = version;
        spec.order = order;
        spec.datatype = datatype;
        double[] values = valuesFor(datatype);
        spec.values(values);

        for (byte[] file : List.of(spec.bytes(), spec.gz())) {
            NiftiImage image = reader.readImage(new ByteArrayInputStream(file));
            assertArrayEquals(new int[] {2, 3, 4}, image.dims());
            assertEquals(version, image.header().version());
            assertEquals(order, image.header().byteOrder());
            assertEquals(datatype, image.header().datatype().code());
            float[] expected = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                expected[i] = (float) values[i];
            }
            assertArrayEquals(expected, image.data());
        }
    }

    @Test
    void detectsGzipByContentNotByName() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec().values(NiftiFixtures.ramp(24));
        Path gzNamedNii = NiftiFixtures.write(dir, "compressed.nii", spec.gz());
        Path rawNamedGz = NiftiFixtures.write(dir, "plain.nii.gz", spec.bytes());
        assertArrayEquals(reader.readImage(gzNamedNii).data(), reader.readImage(rawNamedGz).data());
        assertEquals(23f, reader.readImage(gzNamedNii).data()[23]);
    }

    @Test
    void appliesSlopeAndInterceptInDoublePrecision() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.datatype = NiftiFixtures.INT16;
        spec.slope = 0.5;
        spec.inter = -1024;
        spec.values(NiftiFixtures.ramp(24));
        float[] data = reader.readImage(new ByteArrayInputStream(spec.gz())).data();
        assertEquals(-1024f, data[0]);
        assertEquals(-1024f + 11.5f, data[23]);

        spec.datatype = NiftiFixtures.INT32;
        spec.slope = 2.3283064365386963e-10; // int32 -> [0, 1] as in the BraTS brain masks
        spec.inter = 0.5;
        spec.values(new double[24]);
        assertEquals(0.5f, reader.readImage(new ByteArrayInputStream(spec.bytes())).data()[7]);
    }

    @Test
    void zeroSlopeMeansNoScaling() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.slope = 0;
        spec.inter = 100;
        spec.values(NiftiFixtures.ramp(24));
        assertEquals(23f, reader.readImage(new ByteArrayInputStream(spec.bytes())).data()[23]);
    }

    @Test
    void sformWinsWhenItsCodeIsSet() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.sformCode = 2;
        spec.srow = new double[][] {{-2, 0, 0, 10}, {0, -3, 0, 20}, {0, 0, 4, -30}};
        spec.qformCode = 1;
        spec.quatern = new double[] {0, 0, 1};
        spec.values(NiftiFixtures.ramp(24));
        assertAffine(new double[][] {{-2, 0, 0, 10}, {0, -3, 0, 20}, {0, 0, 4, -30}, {0, 0, 0, 1}},
                reader.readImage(new ByteArrayInputStream(spec.bytes())).affine());
    }

    @Test
    void qformOnlyHeaderUsesTheQuaternionPixdimAndQfac() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.sformCode = 0;
        spec.qformCode = 1;
        double h = Math.sqrt(0.5);
        spec.quatern = new double[] {0, 0, h}; // 90 degrees about z: i -> +y, j -> -x
        spec.qoffset = new double[] {5, 6, 7};
        spec.pixdim = new double[] {-1, 2, 3, 4, 0, 0, 0, 0}; // qfac -1 flips the third axis
        spec.values(NiftiFixtures.ramp(24));
        double[][] affine = reader.readImage(new ByteArrayInputStream(spec.bytes())).affine();
        assertAffine(new double[][] {{0, -3, 0, 5}, {2, 0, 0, 6}, {0, 0, -4, 7}, {0, 0, 0, 1}}, affine);
    }

    @Test
    void pixdimOnlyHeaderScalesByVoxelSize() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.sformCode = 0;
        spec.qformCode = 0;
        spec.pixdim = new double[] {1, 0.5, 0.75, 3, 0, 0, 0, 0};
        spec.values(NiftiFixtures.ramp(24));
        assertAffine(new double[][] {{0.5, 0, 0, 0}, {0, 0.75, 0, 0}, {0, 0, 3, 0}, {0, 0, 0, 1}},
                reader.readImage(new ByteArrayInputStream(spec.bytes())).affine());
    }

    @Test
    void acceptsASingleton4thDimensionAndExtensionsBeforeTheData() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec().dims(2, 3, 4, 1);
        spec.extension = new byte[48];
        spec.voxOffset = 352 + 48 + 16; // 16 more bytes of padding before the data
        spec.values(NiftiFixtures.ramp(24));
        NiftiImage image = reader.readImage(new ByteArrayInputStream(spec.gz()));
        assertArrayEquals(new int[] {2, 3, 4}, image.dims());
        assertEquals(4, image.header().dim()[0]);
        assertEquals(23f, image.data()[23]);
    }

    @Test
    void voxOffsetZeroMeansDataRightAfterTheHeader() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.voxOffset = 0;
        spec.values(NiftiFixtures.ramp(24));
        assertEquals(352, reader.readImage(new ByteArrayInputStream(spec.bytes())).header().voxOffset());
    }

    @Test
    void labelMapsAcceptWholeNonNegativeNumbersInAnyDatatype() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.datatype = NiftiFixtures.FLOAT32;
        spec.values(NiftiFixtures.ramp(24));
        assertEquals(23f, reader.readLabelMap(new ByteArrayInputStream(spec.bytes())).data()[23]);
        spec.datatype = NiftiFixtures.INT16;
        spec.values(NiftiFixtures.ramp(24));
        assertEquals(23f, reader.readLabelMap(new ByteArrayInputStream(spec.gz())).data()[23]);
    }

    @Test
    void readsFromPathAndReportsMissingFilesAsIoErrors() {
        Path file = NiftiFixtures.write(dir, "a.nii", new NiftiFixtures.Spec().values(NiftiFixtures.ramp(24)).bytes());
        assertEquals(5f, reader.readImage(file).data()[5]);
        assertThrows(java.io.UncheckedIOException.class, () -> reader.readImage(dir.resolve("missing.nii.gz")));
    }

    @Test
    void leavesTheCallersStreamOpen() {
        boolean[] closed = {false};
        InputStream in = new java.io.FilterInputStream(new ByteArrayInputStream(
                new NiftiFixtures.Spec().values(NiftiFixtures.ramp(24)).gz())) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        reader.readImage(in);
        assertFalse(closed[0]);
    }

    static void assertAffine(double[][] expected, double[][] actual) {
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(expected[i], actual[i], 1e-6, "row " + i);
        }
    }
}
