package org.irisseg.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;

/**
 * A NIfTI-1 upload made to carry a fake patient's identifiers the way real exports do: in the header's
 * text fields ({@code db_name}, {@code descrip}, {@code aux_file}, {@code intent_name}), in a header
 * extension, and in the gzip header's original file name; sent under an identifying file name. Voxels
 * and geometry are those of the source file.
 */
public final class IdentifyingUpload {

    public static final String PATIENT = "DOE^JOHN";
    public static final String MRN = "12345678";
    public static final String ACCESSION = "ACC-998877";
    public static final String FILE_NAME = "DOE_JOHN_MRN12345678.nii.gz";
    /** Every identifier, as it must never be found at rest. */
    public static final List<String> IDENTIFIERS = List.of(PATIENT, MRN, ACCESSION, "DOE_JOHN", "MRN12345678");

    private IdentifyingUpload() {
    }

    /** The source file ({@code .nii} or {@code .nii.gz}, NIfTI-1) with the identifiers added. */
    public static byte[] of(Path source) {
        try {
            byte[] raw = Files.readAllBytes(source);
            if ((raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    raw = in.readAllBytes();
                }
            }
            return gzipNamed(withIdentifiers(raw), "DOE_JOHN_MRN12345678.nii");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code bytes}, or their gunzipped content when they are gzip, hold any identifier. */
    public static List<String> identifiersIn(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String unzipped = "";
        if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                unzipped = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String all = text + "\n" + unzipped;
        return IDENTIFIERS.stream().filter(all::contains).toList();
    }

    private static byte[] withIdentifiers(byte[] nii) {
        ByteBuffer in = ByteBuffer.wrap(nii).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt(0) != 348) {
            throw new IllegalArgumentException("not a little-endian NIfTI-1 file");
        }
        int voxOffset = (int) in.getFloat(108);
        byte[] header = java.util.Arrays.copyOf(nii, 348);
        put(header, 14, 18, ACCESSION);
        put(header, 148, 80, "Patient " + PATIENT + " MRN " + MRN);
        put(header, 228, 24, PATIENT);
        put(header, 328, 16, MRN);
        byte[] comment = ("Patient " + PATIENT + " MRN " + MRN + " Accession " + ACCESSION)
                .getBytes(StandardCharsets.US_ASCII);
        int esize = (8 + comment.length + 15) / 16 * 16;
        ByteBuffer extension = ByteBuffer.allocate(4 + esize).order(ByteOrder.LITTLE_ENDIAN);
        extension.put(0, (byte) 1);
        extension.putInt(4, esize);
        extension.putInt(8, 6); // NIFTI_ECODE_COMMENT
        extension.put(12, comment);
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, 348 + 4 + esize);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(extension.array());
        out.write(nii, voxOffset, nii.length - voxOffset);
        return out.toByteArray();
    }

    private static void put(byte[] header, int offset, int length, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length - 1));
    }

    /** gzip with the FNAME field set, as the gzip tool writes it. */
    private static byte[] gzipNamed(byte[] content, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3});
        out.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(new NonClosing(out),
                new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
            deflate.write(content);
        }
        CRC32 crc = new CRC32();
        crc.update(content);
        ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc.getValue()).putInt(content.length);
        out.writeBytes(trailer.array());
        return out.toByteArray();
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() {
        }
    }
}
