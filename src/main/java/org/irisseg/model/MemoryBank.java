package org.irisseg.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.irisseg.util.Npy;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The model's built-in classes: the memory bank exported with it ({@code memory_bank.npy} and the
 * {@code memory_bank} block of {@code model.json}, docs/export-contract.md). Each is the moving average
 * of one trained class's task embeddings, so it segments that class without a reference. A model
 * exported without a bank has none. Immutable.
 */
public final class MemoryBank {

    /** The file name of the exported bank ({@code float32 [C, E]}). */
    public static final String FILE_NAME = "memory_bank.npy";
    private static final Pattern ID = Pattern.compile("[^/\\p{Cntrl}]+/[^/\\p{Cntrl}]+/[^/\\p{Cntrl}]+");

    /**
     * One built-in class.
     *
     * @param id      {@code <dataset>/<view>/<name>}, unique in the bank
     * @param dataset the training set the class came from
     * @param view    the crop of that set it was seen in
     * @param name    the label's name
     * @param updates how many task embeddings were folded into its average
     */
    public record BuiltInClass(String id, String dataset, String view, String name, long updates) {
        public BuiltInClass {
            if (id == null || !ID.matcher(id).matches() || !id.equals(dataset + "/" + view + "/" + name)) {
                throw new ModelLoadException("memory bank class id '" + id + "' is not <dataset>/<view>/<name>");
            }
            if (updates < 1) {
                throw new ModelLoadException("memory bank class " + id + " has no updates");
            }
        }
    }

    private static final MemoryBank EMPTY = new MemoryBank(List.of(), Map.of(), new float[0], 0);

    private final List<BuiltInClass> classes;
    private final Map<String, Integer> rowOf;
    private final float[] rows;
    private final int embeddingDim;

    private MemoryBank(List<BuiltInClass> classes, Map<String, Integer> rowOf, float[] rows, int embeddingDim) {
        this.classes = classes;
        this.rowOf = rowOf;
        this.rows = rows;
        this.embeddingDim = embeddingDim;
    }

    /** A bank without classes. */
    public static MemoryBank empty() {
        return EMPTY;
    }

    /**
     * The bank of the model directory {@code dir} ({@link #empty()} when {@code model.json} has none);
     * the caller has verified the checksums.
     *
     * @throws ModelLoadException when the block or the file is malformed or its rows are not
     *                            {@code embeddingDim} long
     */
    public static MemoryBank read(Path dir, JsonMapper json, int embeddingDim) {
        JsonNode block;
        try {
            block = json.readTree(dir.resolve(ModelManifest.FILE_NAME)).path("memory_bank");
        } catch (JacksonException e) {
            throw new ModelLoadException(ModelManifest.FILE_NAME + " in " + dir + " is not valid JSON", e);
        }
        if (block.isMissingNode() || block.isNull() || block.path("classes").isEmpty()) {
            return EMPTY;
        }
        String file = block.path("file").asString(FILE_NAME);
        Npy array;
        try {
            array = Npy.read(dir.resolve(file).normalize());
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("Cannot read the memory bank " + file + ": " + e.getMessage(), e);
        }
        List<BuiltInClass> classes = new ArrayList<>();
        Map<String, Integer> rowOf = new LinkedHashMap<>();
        for (JsonNode c : block.path("classes")) {
            BuiltInClass entry = new BuiltInClass(c.path("id").asString(), c.path("dataset").asString(),
                    c.path("view").asString(), c.path("name").asString(), c.path("updates").asLong(0));
            if (rowOf.putIfAbsent(entry.id(), classes.size()) != null) {
                throw new ModelLoadException("memory bank class " + entry.id() + " is listed twice");
            }
            classes.add(entry);
        }
        if (array.shape().length != 2 || array.shape()[0] != classes.size() || array.shape()[1] != embeddingDim) {
            throw new ModelLoadException("memory bank " + file + " has shape " + Arrays.toString(array.shape())
                    + ", model.json needs [" + classes.size() + ", " + embeddingDim + "]");
        }
        return new MemoryBank(List.copyOf(classes), Map.copyOf(rowOf), array.data(), embeddingDim);
    }

    /** Every built-in class, in the bank's order. */
    public List<BuiltInClass> classes() {
        return classes;
    }

    /** The class {@code id}, if the bank has it. */
    public Optional<BuiltInClass> find(String id) {
        Integer row = rowOf.get(id);
        return row == null ? Optional.empty() : Optional.of(classes.get(row));
    }

    /** The task embedding {@code [E]} of the class {@code id} (a copy), if the bank has it. */
    public Optional<float[]> embedding(String id) {
        Integer row = rowOf.get(id);
        return row == null ? Optional.empty()
                : Optional.of(Arrays.copyOfRange(rows, row * embeddingDim, (row + 1) * embeddingDim));
    }

    public boolean isEmpty() {
        return classes.isEmpty();
    }
}
