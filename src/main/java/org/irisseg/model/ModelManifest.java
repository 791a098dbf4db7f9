package org.irisseg.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The parsed {@code model.json} of an exported model directory (see docs/export-contract.md).
 *
 * @param name              model name, e.g. {@code iris-small}
 * @param version           model version string
 * @param format            export format, 1
 * @param files             file name -> SHA-256 hex, in model.json order (the modules, a memory bank)
 * @param grid              model grid G (the exported grid is G x G x G)
 * @param embeddingDim      E, length of one class embedding
 * @param numFeatureTensors N, number of feature tensors returned by the image encoder before {@code size}
 * @param numClassesMax     most classes the task encoder takes in one call (0 when unbounded)
 */
public record ModelManifest(
        String name,
        String version,
        int format,
        Map<String, String> files,
        int grid,
        int embeddingDim,
        int numFeatureTensors,
        int numClassesMax) {

    public static final String FILE_NAME = "model.json";
    public static final String IMAGE_ENCODER = "image_encoder.pt";
    public static final String TASK_ENCODER = "task_encoder.pt";
    public static final String MASK_DECODER = "mask_decoder.pt";
    /** The region modules: the decoder's logits on the model grid, native probabilities in a box, masks in a box. */
    public static final String GRID_DECODER = "grid_decoder.pt";
    public static final String REGION_UPSAMPLER = "region_upsampler.pt";
    public static final String OBJECT_ENCODER = "object_encoder.pt";
    public static final int SUPPORTED_FORMAT = 1;

    /** The version every task embedding records: {@code name@version}. */
    public String modelVersion() {
        return name + "@" + version;
    }

    /** Values of one class on the model grid, G^3. */
    public long gridValues() {
        return (long) grid * grid * grid;
    }

    /** Reads and checks {@code dir/model.json}; does not touch the TorchScript files. */
    public static ModelManifest read(Path dir, JsonMapper json) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("No " + FILE_NAME + " in model directory " + dir.toAbsolutePath());
        }
        JsonNode root;
        try {
            root = json.readTree(file);
        } catch (JacksonException e) {
            throw new ModelLoadException(FILE_NAME + " in " + dir + " is not valid JSON", e);
        }
        int format = root.path("format").asInt(-1);
        if (format != SUPPORTED_FORMAT) {
            throw new ModelLoadException(FILE_NAME + " has format " + format + ", this service reads format "
                    + SUPPORTED_FORMAT);
        }
        Map<String, String> files = new LinkedHashMap<>();
        root.path("files").propertyStream().forEach(e -> files.put(e.getKey(), e.getValue().asString()));
        for (String required : new String[] {IMAGE_ENCODER, TASK_ENCODER, MASK_DECODER, GRID_DECODER,
            REGION_UPSAMPLER, OBJECT_ENCODER}) {
            if (!files.containsKey(required)) {
                throw new ModelLoadException(FILE_NAME + " lists no SHA-256 for " + required);
            }
        }
        JsonNode grid = root.path("grid");
        if (!grid.isArray() || grid.size() != 3 || grid.get(0).asInt() <= 0
                || grid.get(0).asInt() != grid.get(1).asInt() || grid.get(0).asInt() != grid.get(2).asInt()) {
            throw new ModelLoadException(FILE_NAME + " needs a cubic grid [G,G,G]");
        }
        String name = requiredText(root, "name");
        String version = requiredText(root, "version");
        int embeddingDim = positive(root, "embedding_dim");
        int featureTensors = positive(root, "num_feature_tensors");
        return new ModelManifest(name, version, format, Collections.unmodifiableMap(files), grid.get(0).asInt(),
                embeddingDim, featureTensors, Math.max(0, root.path("num_classes_max").asInt(0)));
    }

    private static String requiredText(JsonNode root, String key) {
        JsonNode node = root.path(key);
        if (node.isMissingNode() || node.isNull() || node.asString().isBlank()) {
            throw new ModelLoadException(FILE_NAME + " has no '" + key + "'");
        }
        return node.asString();
    }

    private static int positive(JsonNode root, String key) {
        int value = root.path(key).asInt(0);
        if (value <= 0) {
            throw new ModelLoadException(FILE_NAME + " needs a positive '" + key + "'");
        }
        return value;
    }
}
