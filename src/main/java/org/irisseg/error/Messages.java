package org.irisseg.error;

/** Helpers for the client-facing texts of problems. */
public final class Messages {

    private Messages() {
    }

    /** {@code "reference 2 mask"} -> {@code "Reference 2 mask"}, for a role that starts a sentence. */
    public static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
