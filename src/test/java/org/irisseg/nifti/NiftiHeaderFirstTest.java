package org.irisseg.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Headers and label sets read without decoding a volume, with the same checks as a full read. */
class NiftiHeaderFirstTest {

    private final NiftiReader reader = new NiftiReader(NiftiLimits.defaults());

    private static NiftiFixtures.Spec labelMap(double... values) {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        spec.datatype = NiftiFixtures.UINT8;
        spec.values(values);
        return spec;
    }

    @Test
    void aHeaderIsReadFromAFileWhoseVoxelsAreCutOff() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec().dims(512, 512, 512);
        spec.values(new double[24]);
        byte[] headerOnly = Arrays.copyOf(spec.bytes(), 400);

        NiftiHeader header = reader.readHeader(new ByteArrayInputStream(NiftiFixtures.gzip(headerOnly)));

        assertArrayEquals(new int[] {512, 512, 512}, header.spatialDims());
        assertEquals(NiftiException.Kind.CORRUPT, assertThrows(NiftiException.class,
                () -> reader.readImage(new ByteArrayInputStream(headerOnly))).kind());
    }

    @Test
    void aHeaderOverTheVoxelLimitIsTooLarge() {
        NiftiReader small = new NiftiReader(new NiftiLimits(1000, 1 << 20));
        byte[] file = new NiftiFixtures.Spec().dims(16, 16, 16).values(new double[4096]).bytes();
        assertEquals(NiftiException.Kind.TOO_LARGE, assertThrows(NiftiException.class,
                () -> small.readHeader(new ByteArrayInputStream(file))).kind());
    }

    @Test
    void aLabelScanFindsTheDistinctNonZeroLabelsInOrder() {
        double[] values = new double[24];
        values[3] = 7;
        values[4] = 2;
        values[20] = 7;
        values[23] = 255;

        LabelScan scan = reader.scanLabelMap(new ByteArrayInputStream(labelMap(values).gz()));

        assertEquals(List.of(2, 7, 255), scan.labels());
        assertArrayEquals(new int[] {2, 3, 4}, scan.header().spatialDims());
    }

    @Test
    void aLabelScanChecksEveryVoxelLikeAFullRead() {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
        double[] values = new double[24];
        values[17] = 1.5;
        spec.values(values);
        NiftiException e = assertThrows(NiftiException.class,
                () -> reader.scanLabelMap(new ByteArrayInputStream(spec.bytes())));
        assertEquals(NiftiException.Kind.INVALID_VALUES, e.kind());
        assertEquals(true, e.getMessage().contains("voxel 1, 2, 2"), e.getMessage());
    }

    @Test
    void aLabelScanOfATruncatedFileIsCorrupt() {
        byte[] file = labelMap(new double[24]).bytes();
        assertEquals(NiftiException.Kind.CORRUPT, assertThrows(NiftiException.class,
                () -> reader.scanLabelMap(new ByteArrayInputStream(Arrays.copyOf(file, file.length - 5)))).kind());
    }
}
