package org.irisseg.nifti;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Fuzzes the reader with mutations of real files (a few small ones from {@code ../shared/data}, plus
 * synthetic NIfTI-1/NIfTI-2 files so it also runs without the data): every input either reads into a
 * consistent image or is refused with a {@link NiftiException}; nothing else escapes (no
 * {@code ArrayIndexOutOfBounds}, {@code NegativeArraySize}, {@code OutOfMemoryError}, ...).
 * The budget is a fixed number of tries on files of at most a few hundred KiB.
 */
class NiftiReaderFuzzTest {

    private static final List<String> REAL_SEEDS = List.of(
            "hippocampus/imagesTr/hippocampus_001.nii.gz",
            "hippocampus/labelsTr/hippocampus_001.nii.gz",
            "hippocampus/imagesTr/hippocampus_004.nii.gz",
            "totalsegmentator/example_seg_mr.nii.gz");

    private static final List<byte[]> SEEDS = seeds();

    /** Limits far below the defaults, so mutated sizes hit them often. */
    private final NiftiReader reader = new NiftiReader(new NiftiLimits(1 << 20, 8L << 20));

    private static List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        for (String name : REAL_SEEDS) {
            Path file = SharedDataRoundTripTest.DATA.resolve(name);
            if (Files.isRegularFile(file)) {
                out.add(gunzip(file));
            }
        }
        NiftiFixtures.Spec v1 = new NiftiFixtures.Spec().dims(5, 6, 7);
        v1.datatype = NiftiFixtures.INT16;
        v1.qformCode = 1;
        v1.quatern = new double[] {0.1, 0.2, 0.3};
        v1.extension = new byte[32];
        out.add(v1.values(NiftiFixtures.ramp(210)).bytes());
        NiftiFixtures.Spec v2 = new NiftiFixtures.Spec().dims(4, 3, 2, 1);
        v2.version = 2;
        v2.order = ByteOrder.BIG_ENDIAN;
        v2.datatype = NiftiFixtures.FLOAT64;
        out.add(v2.values(NiftiFixtures.ramp(24)).bytes());
        return out;
    }

    private static byte[] gunzip(Path file) {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Property(tries = 400, shrinking = ShrinkingMode.OFF)
    void mutatedFilesReadConsistentlyOrAreRefused(@ForAll("mutatedFiles") byte[] file, @ForAll boolean gzip) {
        byte[] input = gzip ? NiftiFixtures.gzip(file) : file;
        try {
            NiftiImage image = reader.readImage(new ByteArrayInputStream(input));
            int[] d = image.dims();
            assertEquals((long) d[0] * d[1] * d[2], image.data().length);
            Reorientation r = Reorientation.toClosestCanonical(image.affine(), d);
            assertEquals(image.data().length, r.toCanonical(image).data().length);
        } catch (NiftiException refused) {
            assertFalse(refused.getMessage().isBlank());
        }
    }

    @Property(tries = 150, shrinking = ShrinkingMode.OFF)
    void corruptedGzipStreamsAreRefusedOrReadConsistently(@ForAll("corruptedGzip") byte[] gz) {
        try {
            NiftiImage image = reader.readImage(new ByteArrayInputStream(gz));
            int[] d = image.dims();
            assertEquals((long) d[0] * d[1] * d[2], image.data().length);
        } catch (NiftiException refused) {
            assertFalse(refused.getMessage().isBlank());
        }
    }

    @Provide
    Arbitrary<byte[]> mutatedFiles() {
        Arbitrary<byte[]> seed = Arbitraries.of(SEEDS);
        Arbitrary<Integer> kind = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> position = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Long> value = Arbitraries.longs();
        Arbitrary<Integer> count = Arbitraries.integers().between(1, 8);
        return Combinators.combine(seed, kind, position, value, count).as(NiftiReaderFuzzTest::mutate);
    }

    @Provide
    Arbitrary<byte[]> corruptedGzip() {
        Arbitrary<byte[]> seed = Arbitraries.of(SEEDS).map(NiftiFixtures::gzip);
        Arbitrary<Integer> position = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Byte> value = Arbitraries.bytes();
        Arbitrary<Boolean> truncate = Arbitraries.of(true, false);
        return Combinators.combine(seed, position, value, truncate).as((gz, pos, v, cut) -> {
            int at = pos % gz.length;
            if (cut) {
                return Arrays.copyOf(gz, at);
            }
            byte[] out = gz.clone();
            out[at] ^= (byte) (v == 0 ? 1 : v);
            return out;
        });
    }

    /** One of: random header bytes, an extreme value in a header field, truncation, random data bytes, appended bytes. */
    private static byte[] mutate(byte[] seed, int kind, int position, long value, int count) {
        byte[] out = seed.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(out[0] == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int headerSize = Math.min(out.length, b.getInt(0) == 540 ? 544 : 352);
        Random random = new Random(value);
        switch (kind) {
            case 0 -> {
                for (int i = 0; i < count; i++) {
                    out[random.nextInt(headerSize)] = (byte) random.nextInt();
                }
            }
            case 1 -> {
                // an extreme value in a numeric header field (dims, datatype, pixdim, vox_offset, scaling, codes, quaternion, srow)
                int[] fields = headerSize == 544
                        ? new int[] {12, 16, 24, 32, 40, 104, 112, 168, 176, 184, 344, 348, 352, 400, 432}
                        : new int[] {40, 42, 44, 46, 48, 70, 76, 80, 108, 112, 116, 252, 254, 256, 280, 296};
                int at = fields[position % fields.length];
                long[] extremes = {0, -1, 1, 2, 7, 8, 32767, -32768, Integer.MAX_VALUE, Integer.MIN_VALUE, value};
                long v = extremes[random.nextInt(extremes.length)];
                if (headerSize == 544 && at >= 16 && at < 80 || headerSize == 544 && at == 168) {
                    b.putLong(at, v);
                } else if (headerSize == 352 && (at < 76 || at == 252 || at == 254)) {
                    b.putShort(at, (short) v);
                } else if (random.nextBoolean()) {
                    b.putInt(at, (int) v); // raw bits: NaN, infinities, denormals
                } else {
                    b.putFloat(at, (float) v);
                }
            }
            case 2 -> {
                return Arrays.copyOf(out, position % out.length);
            }
            case 3 -> {
                for (int i = 0; i < count; i++) {
                    out[random.nextInt(out.length)] = (byte) random.nextInt();
                }
            }
            default -> {
                return Arrays.copyOf(out, out.length + 1 + position % 4096);
            }
        }
        return out;
    }
}
