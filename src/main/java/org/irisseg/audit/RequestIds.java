package org.irisseg.audit;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id of an API call: the client's {@code X-Request-Id} when it is short and made of safe characters
 * (so that it can be logged and echoed as it is), else a new random UUID.
 */
final class RequestIds {

    /** Longest request id taken from a client. */
    static final int MAX_LENGTH = 64;

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0," + (MAX_LENGTH - 1) + "}");

    private RequestIds() {
    }

    /** The client's id when sane, else a generated one. */
    static String accept(String given) {
        return given != null && SAFE.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }
}
