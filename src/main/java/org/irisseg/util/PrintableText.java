package org.irisseg.util;

import java.util.Locale;
import java.util.Optional;

/**
 * Names people give (task names, class names) that are shown back in listings, answers and viewers: at
 * most a given length and printable. Refused: control characters (C0, C1, DEL), line and paragraph
 * separators, unpaired surrogates and the bidirectional controls that make text display in another order
 * than it is stored (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), with which a name can pass
 * itself off as another.
 */
public final class PrintableText {

    private PrintableText() {
    }

    /** Why {@code text} (already stripped) is not an acceptable name of at most {@code maxLength} characters. */
    public static Optional<String> fault(String text, int maxLength) {
        if (text.length() > maxLength) {
            return Optional.of("is " + text.length() + " characters long");
        }
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String what = null;
            if (isBidiControl(cp)) {
                what = "the bidirectional control character " + codePoint(cp);
            } else if (Character.isISOControl(cp)) {
                what = "the control character " + codePoint(cp);
            } else if (Character.getType(cp) == Character.LINE_SEPARATOR
                    || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR) {
                what = "the line break " + codePoint(cp);
            } else if (Character.getType(cp) == Character.SURROGATE) {
                what = "an unpaired surrogate " + codePoint(cp);
            }
            if (what != null) {
                return Optional.of("holds " + what + " at position " + (text.codePointCount(0, i) + 1));
            }
            i += Character.charCount(cp);
        }
        return Optional.empty();
    }

    /** The Unicode bidirectional formatting characters (marks, embeddings, overrides, isolates). */
    public static boolean isBidiControl(int cp) {
        return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069);
    }

    private static String codePoint(int cp) {
        return String.format(Locale.ROOT, "U+%04X", cp);
    }
}
