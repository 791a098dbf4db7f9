package org.irisseg.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} array (versions 1-3, C order, little-endian float32/float64/int64/int32/uint8/bool),
 * values widened to float: the export's memory bank and test vectors (docs/export-contract.md).
 *
 * @param shape the array's shape
 * @param data  values in C order
 */
public record Npy(int[] shape, float[] data) {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<|>]?)([a-z]\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    public static Npy read(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        buffer.get(magic);
        if (magic[0] != (byte) 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IOException(file + " is not a .npy file");
        }
        int major = buffer.get();
        buffer.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(buffer.getShort()) : buffer.getInt();
        byte[] headerBytes = new byte[headerLength];
        buffer.get(headerBytes);
        String header = new String(headerBytes, StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeText = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeText.find()) {
            throw new IOException(file + " has an unreadable .npy header");
        }
        if (fortran.group(1).equals("True") || descr.group(1).equals(">")) {
            throw new IOException(file + ": only little-endian C-order arrays are read");
        }
        int[] shape = Arrays.stream(shapeText.group(1).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long count = 1;
        for (int s : shape) {
            count *= s;
        }
        float[] data = new float[Math.toIntExact(count)];
        String type = descr.group(2);
        for (int i = 0; i < data.length; i++) {
            data[i] = switch (type) {
                case "f4" -> buffer.getFloat();
                case "f8" -> (float) buffer.getDouble();
                case "i8" -> buffer.getLong();
                case "i4" -> buffer.getInt();
                case "u1", "b1" -> Byte.toUnsignedInt(buffer.get());
                default -> throw new IOException(file + ": dtype " + type + " is not read");
            };
        }
        return new Npy(shape, data);
    }
}
