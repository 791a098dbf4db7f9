package org.irisseg.error;

/** Helpers for the client-facing texts of problems. */
public final class Messages {

    private Messages() {
    }

    /** {@code "reference 2 mask"} -> {@code "Reference 2 mask"}, for a role that starts a sentence. */
    public static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** A client's text quoted back safely: control characters as {@code ?}, at most 64 characters. */
    public static String printable(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 64 ? p.substring(0, 64) + "..." : p;
    }
}
