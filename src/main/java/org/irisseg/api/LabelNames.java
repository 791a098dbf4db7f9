package org.irisseg.api;

import java.util.LinkedHashMap;
import java.util.Map;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.nifti.NiftiWriter;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Parses the {@code labels} form field: a JSON object, label value -> class name. */
final class LabelNames {

    static final int MAX_NAME_LENGTH = 100;

    private LabelNames() {
    }

    static Map<Integer, String> parse(String text, JsonMapper json) {
        Map<Integer, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JacksonException e) {
            throw invalid();
        }
        if (root == null || !root.isObject()) {
            throw invalid();
        }
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            int label;
            try {
                label = Integer.parseInt(entry.getKey().strip());
            } catch (NumberFormatException e) {
                throw invalid();
            }
            String name = entry.getValue().isString() ? entry.getValue().asString().strip() : "";
            if (label < 1 || label > NiftiWriter.MAX_LABEL || name.isEmpty() || name.length() > MAX_NAME_LENGTH
                    || name.chars().anyMatch(Character::isISOControl)) {
                throw invalid();
            }
            out.put(label, name);
        }
        return out;
    }

    private static IrisException invalid() {
        return new IrisException(ProblemType.INVALID_PARAMETER, "'labels' must be a JSON object from label value"
                + " (1.." + NiftiWriter.MAX_LABEL + ") to a non-empty class name,"
                + " e.g. {\"1\":\"anterior\",\"2\":\"posterior\"}");
    }
}
