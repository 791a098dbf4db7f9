package org.irisseg.nifti;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-run benchmark (skipped unless {@code -Dnifti.bench=true}) against the system's gzip on the same
 * machine, in one process run, medians of several runs:
 * <ul>
 *   <li>read + canonicalise a 512x512x300 int16 CT-like {@code .nii.gz} vs {@code gzip -dc} of the same file;</li>
 *   <li>write a 512x512x300 label map ({@link NiftiWriter}) vs {@code gzip -c} of its raw uint8 bytes.</li>
 * </ul>
 * Target: both ratios at most 1.5. Run with
 * {@code mvn -q test -Dtest=NiftiBenchmark -Dnifti.bench=true -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <p>Measured on a 2-core AMD EPYC VM shared with other builds (load average about 8), Java 17.0.15,
 * gzip 1.12, 5 runs each: gzip -dc 1.96 s, read 1.44 s, read + canonicalise 1.66 s (0.85x gzip -dc);
 * gzip -c of the raw uint8 labels 6.14 s, label-map write at deflate level 1 0.41 s (0.07x gzip -c,
 * 6.7 MB). The JDK's zlib inflates faster than gzip's own inflate; level 1 deflates these highly
 * redundant label maps far faster than gzip's default level 6.
 */
class NiftiBenchmark {

    private static final int X = 512;
    private static final int Y = 512;
    private static final int Z = 300;
    private static final int RUNS = Integer.getInteger("nifti.bench.runs", 5);

    @TempDir
    Path dir;

    @Test
    void readCanonicaliseAndWriteAgainstGzip() throws Exception {
        assumeTrue(Boolean.getBoolean("nifti.bench"), "benchmark runs only with -Dnifti.bench=true");
        short[] ct = ctPhantom();
        Path image = dir.resolve("ct.nii.gz");
        writeInt16Gz(image, ct);
        int[] labels = labelsOf(ct);
        Path rawLabels = dir.resolve("labels.raw");
        byte[] labelBytes = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            labelBytes[i] = (byte) labels[i];
        }
        Files.write(rawLabels, labelBytes);
        ct = null;

        NiftiReader reader = new NiftiReader(NiftiLimits.defaults());
        NiftiWriter writer = new NiftiWriter();
        NiftiHeader[] header = new NiftiHeader[1];
        double gunzip = median(() -> gzip("-dc", image));
        double read = median(() -> header[0] = reader.readImage(image).header());
        double readCanonical = median(() -> {
            NiftiImage img = reader.readImage(image);
            Reorientation.toClosestCanonical(img.affine(), img.dims()).toCanonical(img);
        });
        double gzipLabels = median(() -> gzip("-c", rawLabels));
        double write = median(() -> writer.writeLabelMap(OutputStream.nullOutputStream(), header[0], labels));
        long labelGzBytes = writer.labelMapGz(header[0], labels).length;

        System.out.printf("NIfTI benchmark, %dx%dx%d, %d cores, Java %s, medians of %d runs%n", X, Y, Z,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), RUNS);
        System.out.printf("  image .nii.gz: %d bytes compressed, %d raw%n", Files.size(image), 352L + 2L * X * Y * Z);
        System.out.printf("  gzip -dc                 %7.3f s%n", gunzip);
        System.out.printf("  read                     %7.3f s  (%.2fx gzip -dc)%n", read, read / gunzip);
        System.out.printf("  read + canonicalise      %7.3f s  (%.2fx gzip -dc)%n", readCanonical, readCanonical / gunzip);
        System.out.printf("  gzip -c (raw labels)     %7.3f s%n", gzipLabels);
        System.out.printf("  write label map (lvl %d)  %7.3f s  (%.2fx gzip -c), %d bytes%n", NiftiWriter.DEFAULT_LEVEL, write,
                write / gzipLabels, labelGzBytes);
    }

    /** Air around an elliptic body (soft tissue with noise), bright bone ellipses, a darker organ: int16 HU. */
    private static short[] ctPhantom() {
        short[] v = new short[X * Y * Z];
        SplittableRandom random = new SplittableRandom(7);
        for (int z = 0; z < Z; z++) {
            for (int y = 0; y < Y; y++) {
                for (int x = 0; x < X; x++) {
                    double bx = (x - 256) / 220.0;
                    double by = (y - 256) / 160.0;
                    double bone = sq((x - 256) / 30.0) + sq((y - 330) / 30.0);
                    double organ = sq((x - 180) / 60.0) + sq((y - 220) / 50.0) + sq((z - 150) / 90.0);
                    int hu;
                    if (bx * bx + by * by > 1) {
                        hu = -1000 + random.nextInt(-8, 9);
                    } else if (bone < 1) {
                        hu = 700 + random.nextInt(-60, 61);
                    } else if (organ < 1) {
                        hu = 60 + random.nextInt(-20, 21);
                    } else {
                        hu = 30 + random.nextInt(-20, 21);
                    }
                    v[x + X * (y + Y * z)] = (short) hu;
                }
            }
        }
        return v;
    }

    private static double sq(double a) {
        return a * a;
    }

    /** 0 air, 1 body, 2 bone, 3 organ. */
    private static int[] labelsOf(short[] ct) {
        int[] labels = new int[ct.length];
        for (int i = 0; i < ct.length; i++) {
            int hu = ct[i];
            labels[i] = hu < -500 ? 0 : hu > 400 ? 2 : hu >= 45 ? 3 : 1;
        }
        return labels;
    }

    /** NIfTI-1 int16, LPS sform (as many CT conversions), gzip at its default level 6. */
    private static void writeInt16Gz(Path file, short[] values) throws IOException {
        NiftiFixtures.Spec spec = new NiftiFixtures.Spec().dims(X, Y, Z);
        spec.datatype = NiftiFixtures.INT16;
        spec.srow = new double[][] {{-0.8, 0, 0, 200}, {0, -0.8, 0, 200}, {0, 0, 1.5, -300}};
        byte[] header = spec.bytes();
        try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(file)), 1 << 16)) {
            out.write(header, 0, 352);
            ByteBuffer chunk = ByteBuffer.allocate(X * Y * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int z = 0; z < Z; z++) {
                chunk.clear();
                chunk.asShortBuffer().put(values, z * X * Y, X * Y);
                out.write(chunk.array());
            }
        }
    }

    private static void gzip(String mode, Path file) {
        try {
            Process p = new ProcessBuilder("gzip", mode, file.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("gzip " + mode + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private interface Run {
        void run() throws Exception;
    }

    /** One warm-up, then the median of {@link #RUNS} timed runs, in seconds. */
    private static double median(Run run) throws Exception {
        run.run();
        double[] t = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            run.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return t[RUNS / 2];
    }
}
