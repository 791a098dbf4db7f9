package org.irisseg.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.irisseg.util.Sha256;

/**
 * The API keys the service accepts, each for one tenant with its scopes. Only their SHA-256 is held; a
 * presented key is hashed and compared with every known hash in constant time. A key's principal is a
 * non-secret id, {@code key:<tenant>:<first 8 hex digits of its SHA-256>}, never the key.
 */
public final class ApiKeys {

    /** Header that carries an API key. */
    public static final String HEADER = "X-API-Key";
    /** Tenant of the development key generated when nothing else is configured. */
    static final String DEVELOPMENT_TENANT = "dev";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> ALL_SCOPES = Set.of(Caller.READ, Caller.WRITE);

    /** One accepted key: its tenant, SHA-256 and scopes. */
    record Entry(String tenant, byte[] sha256, Set<String> scopes) {

        String id() {
            return "key:" + tenant + ":" + HexFormat.of().formatHex(sha256).substring(0, 8);
        }
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads {@code tenant:key} entries (plaintext, both scopes) and {@code tenant:sha256hex[:scope+scope]}
     * entries.
     *
     * @throws IllegalArgumentException naming the setting and the entry's position, never its key
     */
    public static ApiKeys of(List<String> plaintext, List<String> hashed) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < plaintext.size(); i++) {
            String entry = plaintext.get(i).strip();
            int colon = entry.indexOf(':');
            String tenant = colon < 0 ? "" : entry.substring(0, colon).strip();
            String key = colon < 0 ? "" : entry.substring(colon + 1).strip();
            if (!Tenants.isValid(tenant) || key.isEmpty()) {
                throw invalid("iris.security.api-keys", i, "tenant:key");
            }
            entries.add(new Entry(tenant, sha256(key), ALL_SCOPES));
        }
        for (int i = 0; i < hashed.size(); i++) {
            String[] parts = hashed.get(i).strip().split(":", -1);
            if (parts.length < 2 || parts.length > 3 || !Tenants.isValid(parts[0].strip())
                    || !SHA256_HEX.matcher(parts[1].strip().toLowerCase(Locale.ROOT)).matches()) {
                throw invalid("iris.security.api-key-hashes", i, "tenant:sha256hex[:scope+scope]");
            }
            Set<String> scopes = parts.length == 3 ? scopes(parts[2], i) : ALL_SCOPES;
            entries.add(new Entry(parts[0].strip(),
                    HexFormat.of().parseHex(parts[1].strip().toLowerCase(Locale.ROOT)), scopes));
        }
        return new ApiKeys(entries);
    }

    /** A fresh random key for tenant {@value #DEVELOPMENT_TENANT}, and the keys that accept it. */
    static Generated development() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String key = "dev-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return new Generated(key, new ApiKeys(List.of(new Entry(DEVELOPMENT_TENANT, sha256(key), ALL_SCOPES))));
    }

    /** A generated key and the keys that accept it. */
    record Generated(String key, ApiKeys keys) {
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** The caller a presented key stands for; every known hash is compared, each in constant time. */
    public Optional<Caller> authenticate(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        Entry match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(hash, entry.sha256()) && match == null) {
                match = entry;
            }
        }
        return match == null ? Optional.empty() : Optional.of(new Caller(match.id(), match.tenant(), match.scopes()));
    }

    private static Set<String> scopes(String text, int index) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : text.split("\\+")) {
            if (!ALL_SCOPES.contains(scope.strip())) {
                throw invalid("iris.security.api-key-hashes", index, "scopes " + Caller.READ + " and/or "
                        + Caller.WRITE + " joined by +");
            }
            scopes.add(scope.strip());
        }
        return scopes;
    }

    private static byte[] sha256(String key) {
        return Sha256.newDigest().digest(key.getBytes(StandardCharsets.UTF_8));
    }

    private static IllegalArgumentException invalid(String setting, int index, String form) {
        return new IllegalArgumentException(setting + ": entry " + (index + 1) + " is not " + form
                + " (tenant: 1-64 letters, digits, '.', '-', '_')");
    }
}
