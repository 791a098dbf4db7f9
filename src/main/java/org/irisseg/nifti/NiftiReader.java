package org.irisseg.nifti;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads single-file NIfTI-1 and NIfTI-2 volumes ({@code .nii} or {@code .nii.gz}, told apart by the
 * gzip magic, not the name), little or big endian, into float32 in the file's native voxel order.
 *
 * <p>Everything a hostile or broken file can do ends in a {@link NiftiException} with an actionable
 * message: sizes and offsets are checked against the {@link NiftiLimits} before anything is
 * allocated, at most vox_offset + the declared voxel bytes are ever decompressed, and the gzip CRC is
 * verified. I/O errors of the underlying stream (not of its content) surface as
 * {@link UncheckedIOException}.
 */
public final class NiftiReader {

    private static final int GZIP_BUFFER_BYTES = 1 << 16;

    private final NiftiLimits limits;

    public NiftiReader(NiftiLimits limits) {
        this.limits = limits;
    }

    /** An image: any finite values; NaN or infinite voxels are refused. */
    public NiftiImage readImage(Path file) {
        return read(file, VoxelValues.IMAGE);
    }

    /** See {@link #readImage(Path)}; the stream is read but not closed. */
    public NiftiImage readImage(InputStream in) {
        return read(in, VoxelValues.IMAGE);
    }

    /** A label map: whole numbers 0..2^24; negative or fractional values are refused. */
    public NiftiImage readLabelMap(Path file) {
        return read(file, VoxelValues.LABEL_MAP);
    }

    /** See {@link #readLabelMap(Path)}; the stream is read but not closed. */
    public NiftiImage readLabelMap(InputStream in) {
        return read(in, VoxelValues.LABEL_MAP);
    }

    /**
     * Only the header, checked against the limits (sizes, datatype, geometry); no voxel is read, so this
     * costs no memory whatever the volume's size. The stream is read but not closed.
     */
    public NiftiHeader readHeader(InputStream in) {
        return read(in, content -> NiftiHeaderParser.parse(content, limits));
    }

    /**
     * The header and the distinct non-zero labels of a label map, every voxel checked as
     * {@link #readLabelMap(InputStream)} does, holding one chunk of voxels at a time instead of the
     * volume. The stream is read but not closed.
     */
    public LabelScan scanLabelMap(InputStream in) {
        return read(in, content -> {
            NiftiHeader header = NiftiHeaderParser.parse(content, limits);
            skipToVoxels(content, header);
            BitSet labels = new BitSet();
            new VoxelDecoder(header, VoxelValues.LABEL_MAP).scan(content, (values, n) -> {
                for (int i = 0; i < n; i++) {
                    if (values[i] != 0f) {
                        labels.set((int) values[i]);
                    }
                }
            });
            requireEnd(content, header);
            return new LabelScan(header, labels.stream().boxed().toList());
        });
    }

    private NiftiImage read(Path file, VoxelValues rule) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, rule);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private NiftiImage read(InputStream source, VoxelValues rule) {
        return read(source, content -> readContent(content, rule));
    }

    /** What is read from the uncompressed content. */
    @FunctionalInterface
    private interface ContentReader<T> {
        T read(InputStream content) throws IOException;
    }

    /** Runs {@code reader} on the uncompressed content (gzip told by its magic) and maps stream faults. */
    private <T> T read(InputStream source, ContentReader<T> reader) {
        boolean gzip = false;
        // closing what is layered on top frees the inflater at once but leaves the caller's stream open
        InputStream unclosable = new FilterInputStream(source) {
            @Override
            public void close() {
            }
        };
        try (PushbackInputStream peek = new PushbackInputStream(unclosable, 2)) {
            byte[] magic = peek.readNBytes(2);
            peek.unread(magic);
            gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
            try (InputStream in = gzip ? new GZIPInputStream(peek, GZIP_BUFFER_BYTES) : peek) {
                return reader.read(in);
            }
        } catch (ZipException e) {
            throw new NiftiException(NiftiException.Kind.CORRUPT,
                    "the gzip stream is corrupt (" + e.getMessage() + "); upload the file again or re-export it", e);
        } catch (EOFException e) {
            throw new NiftiException(NiftiException.Kind.CORRUPT, gzip
                    ? "the gzip stream is truncated (it ends before the end of the volume); upload the complete file"
                    : "the file is truncated; upload the complete file", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Header, extensions, voxels and the check that nothing follows, from the uncompressed content. */
    private NiftiImage readContent(InputStream in, VoxelValues rule) throws IOException {
        NiftiHeader header = NiftiHeaderParser.parse(in, limits);
        skipToVoxels(in, header);
        float[] data = new VoxelDecoder(header, rule).decode(in);
        requireEnd(in, header);
        return new NiftiImage(header, data);
    }

    private static void skipToVoxels(InputStream in, NiftiHeader header) throws IOException {
        int headerSize = header.version() == 1 ? NiftiHeaderParser.NIFTI1_HEADER_SIZE : NiftiHeaderParser.NIFTI2_HEADER_SIZE;
        skipTo(in, header.voxOffset() - headerSize, header.voxOffset());
    }

    private static void requireEnd(InputStream in, NiftiHeader header) throws IOException {
        if (in.read() != -1) {
            throw new NiftiException(NiftiException.Kind.CORRUPT,
                    "the file holds more voxel data than its header declares (" + describe(header)
                            + "); the header does not match the data");
        }
    }

    /** Skips the extension area between the fixed header and vox_offset. */
    private static void skipTo(InputStream in, long bytes, long voxOffset) throws IOException {
        long left = bytes;
        while (left > 0) {
            long n = in.skip(left);
            if (n <= 0) {
                if (in.read() == -1) {
                    throw new NiftiException(NiftiException.Kind.CORRUPT,
                            "the file ends before its voxel data starts (vox_offset " + voxOffset
                                    + "); the header does not match the data or the file is truncated");
                }
                n = 1;
            }
            left -= n;
        }
    }

    private static String describe(NiftiHeader h) {
        int[] d = h.spatialDims();
        return d[0] + "x" + d[1] + "x" + d[2] + " " + h.datatype().name().toLowerCase();
    }
}
