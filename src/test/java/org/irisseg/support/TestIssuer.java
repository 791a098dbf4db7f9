package org.irisseg.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * A real OpenID Connect issuer in the test JVM (mock-oauth2-server over real HTTP: discovery document,
 * JWKS, RS256-signed tokens), started once. The shared test service accepts tokens of issuer
 * {@value #ISSUER} for audience {@value #AUDIENCE}; {@value #OTHER_ISSUER} is a second issuer of the same
 * server, with keys of its own, that the service does not trust.
 */
public final class TestIssuer {

    public static final String ISSUER = "hospital";
    public static final String OTHER_ISSUER = "elsewhere";
    public static final String AUDIENCE = "iris";

    private static final MockOAuth2Server SERVER = start();

    private TestIssuer() {
    }

    private static MockOAuth2Server start() {
        MockOAuth2Server server = new MockOAuth2Server();
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
        warmUp(server);
        return server;
    }

    /** Serves discovery and keys once, so the service's first token does not wait for the issuer's start. */
    private static void warmUp(MockOAuth2Server server) {
        HttpClient http = HttpClient.newHttpClient();
        for (String url : new String[] {server.wellKnownUrl(ISSUER).toString(), server.jwksUrl(ISSUER).toString()}) {
            try {
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} of the trusted issuer. */
    public static String issuerUri() {
        return SERVER.issuerUrl(ISSUER).toString();
    }

    /** A token of the trusted issuer for the audience, valid for an hour. */
    public static String token(String subject, String tenant, String scope) {
        return token(ISSUER, subject, tenant, scope, AUDIENCE, 3600);
    }

    /**
     * A signed token.
     *
     * @param tenant        the {@code tenant} claim, or null for none
     * @param scope         the {@code scope} claim (space-separated), or null for none
     * @param expirySeconds seconds from now to {@code exp}; negative: expired that long ago (issued an hour
     *                      before that)
     */
    public static String token(String issuerId, String subject, String tenant, String scope, String audience,
            long expirySeconds) {
        Map<String, Object> claims = new LinkedHashMap<>();
        if (tenant != null) {
            claims.put("tenant", tenant);
        }
        if (scope != null) {
            claims.put("scope", scope);
        }
        if (expirySeconds < 0) {
            Date issued = Date.from(Instant.now().minusSeconds(3600 - expirySeconds));
            claims.put("iat", issued);
            claims.put("nbf", issued);
        }
        return SERVER.issueToken(issuerId, "iris-tests", new DefaultOAuth2TokenCallback(issuerId, subject, "JWT",
                List.of(audience), claims, expirySeconds)).serialize();
    }
}
