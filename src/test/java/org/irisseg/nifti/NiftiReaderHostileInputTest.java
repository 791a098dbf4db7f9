package org.irisseg.nifti;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Every kind of hostile or broken input ends in a typed {@link NiftiException} with a usable message. */
class NiftiReaderHostileInputTest {

    private final NiftiReader reader = new NiftiReader(NiftiLimits.defaults());

    private static NiftiFixtures.Spec valid() {
        return new NiftiFixtures.Spec().values(NiftiFixtures.ramp(24));
    }

    private NiftiException refuse(byte[] file) {
        return assertThrows(NiftiException.class, () -> reader.readImage(new ByteArrayInputStream(file)));
    }

    private NiftiException refuseLabels(byte[] file) {
        return assertThrows(NiftiException.class, () -> reader.readLabelMap(new ByteArrayInputStream(file)));
    }

    private static void assertKind(NiftiException.Kind kind, NiftiException e, String messagePart) {
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void emptyAndRandomBytesAreNotNifti() {
        assertKind(NiftiException.Kind.NOT_NIFTI, refuse(new byte[0]), "empty");
        byte[] text = "<html>not a volume</html>".repeat(40).getBytes();
        assertKind(NiftiException.Kind.NOT_NIFTI, refuse(text), "sizeof_hdr");
        assertKind(NiftiException.Kind.NOT_NIFTI, refuse(NiftiFixtures.gzip(text)), "sizeof_hdr");
    }

    @Test
    void wrongMagicAnalyzeAndPairHeadersAreNotNifti() {
        NiftiFixtures.Spec spec = valid();
        spec.magic = new byte[] {'x', 'y', 'z', 0};
        assertKind(NiftiException.Kind.NOT_NIFTI, refuse(spec.bytes()), "magic");
        spec.magic = new byte[] {'n', 'i', '1', 0};
        assertKind(NiftiException.Kind.NOT_NIFTI, refuse(spec.gz()), ".hdr/.img");
        spec.version = 2;
        spec.magic = new byte[] {'n', '+', '3', 0, 0, 0, 0, 0};
        assertKind(NiftiException.Kind.NOT_NIFTI, refuse(spec.bytes()), "NIfTI-2 magic");
        spec.magic = new byte[] {'n', '+', '2', 0, '\n', '\n', 0x1a, '\n'};
        assertKind(NiftiException.Kind.CORRUPT, refuse(spec.bytes()), "binary mode");
    }

    @Test
    void truncatedOrCorruptGzipIsCorrupt() {
        byte[] gz = valid().gz();
        assertKind(NiftiException.Kind.CORRUPT, refuse(Arrays.copyOf(gz, gz.length - 20)), "truncated");
        assertKind(NiftiException.Kind.CORRUPT, refuse(Arrays.copyOf(gz, 30)), "truncated");
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 6] ^= 0x5a; // CRC32 in the trailer
        assertKind(NiftiException.Kind.CORRUPT, refuse(badCrc), "gzip");
        byte[] badBlock = gz.clone();
        badBlock[10] = (byte) 0xff; // an invalid deflate block type
        assertKind(NiftiException.Kind.CORRUPT, refuse(badBlock), "gzip");
    }

    @Test
    void dataShorterOrLongerThanDeclaredIsCorrupt() {
        byte[] raw = valid().bytes();
        assertKind(NiftiException.Kind.CORRUPT, refuse(Arrays.copyOf(raw, raw.length - 1)), "truncated");
        assertKind(NiftiException.Kind.CORRUPT, refuse(Arrays.copyOf(raw, 200)), "inside the 348-byte");
        assertKind(NiftiException.Kind.CORRUPT, refuse(NiftiFixtures.gzip(Arrays.copyOf(raw, raw.length + 96))),
                "more voxel data");
    }

    @Test
    void voxOffsetThatDisagreesWithTheFileIsCorrupt() {
        NiftiFixtures.Spec spec = valid();
        spec.voxOffset = 100; // inside the header
        assertKind(NiftiException.Kind.CORRUPT, refuse(spec.bytes()), "vox_offset");
        spec.voxOffset = 352.5;
        assertKind(NiftiException.Kind.CORRUPT, refuse(spec.bytes()), "vox_offset");
        byte[] raw = valid().bytes();
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, 4096f); // past the end
        assertKind(NiftiException.Kind.CORRUPT, refuse(NiftiFixtures.gzip(raw)), "before its voxel data");
    }

    @Test
    void zeroOrNegativeDimsAndExtraVolumesAreInvalidGeometry() {
        NiftiFixtures.Spec spec = valid();
        spec.dim = new long[] {3, 2, 0, 4, 1, 1, 1, 1};
        assertKind(NiftiException.Kind.INVALID_GEOMETRY, refuse(spec.bytes()), "dimension 2 has size 0");
        spec.dim = new long[] {3, 2, 3, -4, 1, 1, 1, 1};
        assertKind(NiftiException.Kind.INVALID_GEOMETRY, refuse(spec.bytes()), "must be positive");
        spec.dim = new long[] {4, 2, 3, 2, 2, 1, 1, 1};
        assertKind(NiftiException.Kind.INVALID_GEOMETRY, refuse(spec.bytes()), "more than one 3D volume");
        spec.dim = new long[] {5, 2, 3, 4, 1, 3, 1, 1};
        assertKind(NiftiException.Kind.INVALID_GEOMETRY, refuse(spec.bytes()), "dim[5] = 3");
        spec.dim = new long[] {9, 2, 3, 4, 1, 1, 1, 1};
        assertKind(NiftiException.Kind.CORRUPT, refuse(spec.bytes()), "dim[0]");
    }

    @Test
    void unsupportedDatatypesAreNamed() {
        NiftiFixtures.Spec spec = valid();
        spec.datatype = 128;
        assertKind(NiftiException.Kind.UNSUPPORTED_DATATYPE, refuse(spec.bytes()), "RGB24");
        spec.datatype = 32;
        assertKind(NiftiException.Kind.UNSUPPORTED_DATATYPE, refuse(spec.bytes()), "complex64");
        spec.datatype = 1280;
        assertKind(NiftiException.Kind.UNSUPPORTED_DATATYPE, refuse(spec.bytes()), "uint64");
        spec.datatype = 77;
        assertKind(NiftiException.Kind.UNSUPPORTED_DATATYPE, refuse(spec.bytes()), "code 77");
    }

    @Test
    void volumesOverTheVoxelLimitAreRefusedBeforeAllocation() {
        NiftiFixtures.Spec spec = valid();
        spec.version = 2;
        spec.dim = new long[] {3, 1L << 40, 1L << 40, 1L << 40, 1, 1, 1, 1}; // overflows a long
        assertKind(NiftiException.Kind.TOO_LARGE, refuse(spec.bytes()), "limit");
        spec.dim = new long[] {3, 513, 512, 512, 1, 1, 1, 1};
        assertKind(NiftiException.Kind.TOO_LARGE, refuse(spec.gz()), "513x512x512");
        NiftiReader small = new NiftiReader(new NiftiLimits(23, 1 << 20));
        NiftiException e = assertThrows(NiftiException.class,
                () -> small.readImage(new ByteArrayInputStream(valid().bytes())));
        assertKind(NiftiException.Kind.TOO_LARGE, e, "limit of 23 voxels");
    }

    @Test
    void decompressionBombIsRefusedWithoutInflatingIt() throws IOException {
        NiftiFixtures.Spec spec = valid();
        spec.version = 2;
        spec.voxOffset = 1L << 40; // a terabyte of "extensions" before the data
        byte[] header = Arrays.copyOf(spec.bytes(), 544);
        NiftiException e = refuse(NiftiFixtures.gzip(header));
        assertKind(NiftiException.Kind.TOO_LARGE, e, "bytes");

        // real bombs: a few hundred KiB of gzip that inflate to 128 MiB of zeros
        NiftiFixtures.Spec big = new NiftiFixtures.Spec();
        big.datatype = NiftiFixtures.FLOAT64;
        big.dim = new long[] {3, 256, 256, 256, 1, 1, 1, 1};
        byte[] bomb = gzipWithZeros(big.bytes(), 128);
        NiftiReader limited = new NiftiReader(new NiftiLimits(1 << 24, 64L << 20));
        NiftiException b = assertThrows(NiftiException.class, () -> limited.readImage(new ByteArrayInputStream(bomb)));
        assertKind(NiftiException.Kind.TOO_LARGE, b, "limit of " + (64L << 20) + " bytes");

        byte[] smallHeaderBigStream = gzipWithZeros(valid().bytes(), 128);
        assertKind(NiftiException.Kind.CORRUPT, refuse(smallHeaderBigStream), "more voxel data");
    }

    private static byte[] gzipWithZeros(byte[] head, int mebibytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            gz.write(head);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < mebibytes; i++) {
                gz.write(zeros);
            }
        }
        return out.toByteArray();
    }

    @Test
    void nanOrInfiniteImageVoxelsAreInvalidValues() {
        double[] values = NiftiFixtures.ramp(24);
        values[7] = Double.NaN;
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec().values(values);
        assertKind(NiftiException.Kind.INVALID_VALUES, refuse(spec.gz()), "NaN value (first at voxel 1, 0, 1)");
        values[7] = Double.POSITIVE_INFINITY;
        spec.datatype = NiftiFixtures.FLOAT64;
        spec.values(values);
        assertKind(NiftiException.Kind.INVALID_VALUES, refuse(spec.bytes()), "infinite");
        values[7] = 1e300; // finite in float64 but not in float32
        spec.values(values);
        assertKind(NiftiException.Kind.INVALID_VALUES, refuse(spec.bytes()), "float32 range");
    }

    @Test
    void negativeOrFractionalLabelsAreInvalidValues() {
        double[] values = NiftiFixtures.ramp(24);
        values[3] = -1;
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        for (int type : new int[] {NiftiFixtures.INT8, NiftiFixtures.INT16, NiftiFixtures.INT32, NiftiFixtures.INT64,
                NiftiFixtures.FLOAT32, NiftiFixtures.FLOAT64}) {
            spec.datatype = type;
            spec.values(values);
            assertKind(NiftiException.Kind.INVALID_VALUES, refuseLabels(spec.bytes()), "negative");
        }
        values[3] = 2.5;
        spec.datatype = NiftiFixtures.FLOAT32;
        spec.values(values);
        assertKind(NiftiException.Kind.INVALID_VALUES, refuseLabels(spec.gz()), "not a whole number");
        values[3] = Double.NaN;
        spec.values(values);
        assertKind(NiftiException.Kind.INVALID_VALUES, refuseLabels(spec.gz()), "not a whole number");
        values[3] = 16777217; // not exact in float32
        spec.datatype = NiftiFixtures.INT32;
        spec.values(values);
        assertKind(NiftiException.Kind.INVALID_VALUES, refuseLabels(spec.gz()), "above 16777216");
        spec.datatype = NiftiFixtures.INT16;
        spec.values(NiftiFixtures.ramp(24));
        spec.slope = 0.5; // 1 * 0.5 is fractional
        assertKind(NiftiException.Kind.INVALID_VALUES, refuseLabels(spec.gz()), "not a whole number");
    }

    @Test
    void singularOrNonFiniteAffinesAreInvalidGeometry() {
        NiftiFixtures.Spec spec = valid();
        spec.srow = new double[][] {{1, 0, 0, 0}, {2, 0, 0, 0}, {0, 0, 1, 0}};
        assertKind(NiftiException.Kind.INVALID_GEOMETRY, refuse(spec.bytes()), "singular");
        spec.srow = new double[][] {{1, 0, 0, Double.NaN}, {0, 1, 0, 0}, {0, 0, 1, 0}};
        assertKind(NiftiException.Kind.INVALID_GEOMETRY, refuse(spec.bytes()), "not finite");
        spec.sformCode = 0;
        spec.qformCode = 1;
        spec.quatern = new double[] {0.9, 0.9, 0};
        assertKind(NiftiException.Kind.INVALID_GEOMETRY, refuse(spec.bytes()), "quaternion");
        spec.qformCode = 0;
        spec.pixdim = new double[] {1, 1, Double.POSITIVE_INFINITY, 1, 0, 0, 0, 0};
        assertKind(NiftiException.Kind.INVALID_GEOMETRY, refuse(spec.bytes()), "pixdim[2]");
    }

    @Test
    void brokenScalingIsCorrupt() {
        NiftiFixtures.Spec spec = valid();
        spec.slope = 2;
        spec.inter = Double.NaN;
        assertKind(NiftiException.Kind.CORRUPT, refuse(spec.bytes()), "scl_inter");
    }

    @Test
    void messagesNeverQuoteFileContents() {
        NiftiFixtures.Spec spec = valid();
        spec.magic = "<sc".getBytes();
        spec.magic = Arrays.copyOf(spec.magic, 4);
        NiftiException e = refuse(spec.bytes());
        assertFalse(e.getMessage().contains("<sc"), e.getMessage());
    }

    @Test
    void readsGzipOfAnyDeflateLevel() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
            {
                def.setLevel(9);
            }
        }) {
            gz.write(valid().bytes());
        }
        assertEquals(23f, reader.readImage(new ByteArrayInputStream(out.toByteArray())).data()[23]);
    }
}
