package org.irisseg.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.nifti.NiftiWriter;
import org.irisseg.util.PrintableText;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses the {@code labels} form field: a JSON object, label value -> class name. Every key is a label in
 * canonical decimal form ({@code "1"}, not {@code "01"}, {@code "+1"} or {@code " 1"}) and appears once, so
 * two keys never silently name the same label; every name is printable ({@link PrintableText}).
 */
final class LabelNames {

    static final int MAX_NAME_LENGTH = 100;
    private static final Pattern CANONICAL = Pattern.compile("[1-9][0-9]{0,4}");

    private LabelNames() {
    }

    static Map<Integer, String> parse(String text, JsonMapper json) {
        Map<Integer, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        try (JsonParser parser = json.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw invalid();
            }
            String key;
            while ((key = parser.nextName()) != null) {
                int label = label(key);
                if (out.containsKey(label)) {
                    throw new IrisException(ProblemType.INVALID_PARAMETER, "'labels' names label " + label
                            + " twice (key " + quoted(key) + "); give each label one name");
                }
                if (parser.nextToken() != JsonToken.VALUE_STRING) {
                    throw invalid();
                }
                out.put(label, name(label, parser.getString()));
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw invalid();
            }
        } catch (JacksonException e) {
            throw invalid();
        }
        return out;
    }

    private static int label(String key) {
        if (!CANONICAL.matcher(key).matches() || Integer.parseInt(key) > NiftiWriter.MAX_LABEL) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'labels' key " + quoted(key) + " is not a label"
                    + " value: write each label as a decimal number 1.." + NiftiWriter.MAX_LABEL + " without sign,"
                    + " leading zeros or spaces, e.g. {\"1\":\"anterior\",\"2\":\"posterior\"}");
        }
        return Integer.parseInt(key);
    }

    private static String name(int label, String value) {
        String name = value.strip();
        if (name.isEmpty()) {
            throw invalid();
        }
        PrintableText.fault(name, MAX_NAME_LENGTH).ifPresent(fault -> {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'labels': the name of label " + label
                    + " must be at most " + MAX_NAME_LENGTH + " printable characters without bidirectional"
                    + " controls; it " + fault);
        });
        return name;
    }

    /** A key as it may be echoed: quoted, short, printable ASCII. */
    private static String quoted(String key) {
        String shown = key.length() > 16 ? key.substring(0, 16) + "..." : key;
        return "\"" + shown.replaceAll("[^\\x21-\\x7e]", "?").replace("\"", "?") + "\"";
    }

    private static IrisException invalid() {
        return new IrisException(ProblemType.INVALID_PARAMETER, "'labels' must be a JSON object from label value"
                + " (1.." + NiftiWriter.MAX_LABEL + ") to a non-empty class name,"
                + " e.g. {\"1\":\"anterior\",\"2\":\"posterior\"}");
    }
}
