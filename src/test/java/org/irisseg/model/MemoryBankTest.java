package org.irisseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

class MemoryBankTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TWO_CLASSES = """
            [{"id": "hippocampus/whole/anterior", "dataset": "hippocampus", "view": "whole", "name": "anterior",
              "updates": 40},
             {"id": "hippocampus/whole/posterior", "dataset": "hippocampus", "view": "whole", "name": "posterior",
              "updates": 25}]""";

    @TempDir
    Path dir;

    private void write(String classes, float[] rows, int... shape) throws IOException {
        Files.write(dir.resolve(MemoryBank.FILE_NAME), npy(rows, shape));
        Files.writeString(dir.resolve(ModelManifest.FILE_NAME), """
                {"name": "m", "memory_bank": {"file": "memory_bank.npy", "momentum": 0.99, "min_updates": 20,
                 "classes": %s}}""".formatted(classes));
    }

    /** A little-endian float32 C-order .npy file, version 1.0, as NumPy writes it. */
    private static byte[] npy(float[] data, int... shape) {
        StringBuilder dims = new StringBuilder();
        for (int s : shape) {
            dims.append(s).append(", ");
        }
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims.toString().strip() + "), }";
        int padded = (10 + header.length() + 1 + 63) / 64 * 64 - 10;
        header = header + " ".repeat(padded - header.length() - 1) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >> 8);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer values = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            values.putFloat(v);
        }
        out.writeBytes(values.array());
        return out.toByteArray();
    }

    @Test
    void readsEachClassWithItsRowOfTheArray() throws IOException {
        write(TWO_CLASSES, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        MemoryBank bank = MemoryBank.read(dir, JSON, 3);
        assertEquals(List.of("hippocampus/whole/anterior", "hippocampus/whole/posterior"),
                bank.classes().stream().map(MemoryBank.BuiltInClass::id).toList());
        assertEquals(25, bank.find("hippocampus/whole/posterior").orElseThrow().updates());
        assertArrayEquals(new float[] {4, 5, 6}, bank.embedding("hippocampus/whole/posterior").orElseThrow());
        assertTrue(bank.embedding("hippocampus/whole/tail").isEmpty());
    }

    @Test
    void aModelWithoutABankHasNoBuiltInClasses() throws IOException {
        Files.writeString(dir.resolve(ModelManifest.FILE_NAME), "{\"name\": \"m\"}");
        assertTrue(MemoryBank.read(dir, JSON, 3).isEmpty());
    }

    @Test
    void rowsOfAnotherLengthThanTheEmbeddingAreRefused() throws IOException {
        write(TWO_CLASSES, new float[] {1, 2, 3, 4}, 2, 2);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> MemoryBank.read(dir, JSON, 3));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void aClassListedTwiceIsRefused() throws IOException {
        String twice = TWO_CLASSES.replace("posterior", "anterior");
        write(twice, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertThrows(ModelLoadException.class, () -> MemoryBank.read(dir, JSON, 3));
    }

    @Test
    void anIdThatIsNotDatasetViewNameIsRefused() throws IOException {
        String bad = TWO_CLASSES.replace("\"hippocampus/whole/anterior\"", "\"hippocampus/anterior\"");
        write(bad, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertThrows(ModelLoadException.class, () -> MemoryBank.read(dir, JSON, 3));
    }
}
