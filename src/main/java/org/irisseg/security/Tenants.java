package org.irisseg.security;

import java.util.regex.Pattern;

/** What a tenant name may be: 1 to 64 letters, digits, dots, dashes and underscores, starting alphanumeric. */
final class Tenants {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Tenants() {
    }

    static boolean isValid(String tenant) {
        return tenant != null && NAME.matcher(tenant).matches();
    }
}
