package org.irisseg.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.irisseg.support.IrisIntegrationTest;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void aPlainKeyGivesItsTenantBothScopesAndANonSecretPrincipal() {
        Caller caller = ApiKeys.of(List.of("ward-7:s3cret:with-colon"), List.of()).authenticate("s3cret:with-colon")
                .orElseThrow();
        assertEquals("ward-7", caller.tenant());
        assertEquals(Set.of(Caller.READ, Caller.WRITE), caller.scopes());
        assertEquals("key:ward-7:" + IrisIntegrationTest.sha256("s3cret:with-colon").substring(0, 8), caller.principal());
        assertFalse(caller.principal().contains("s3cret"));
    }

    @Test
    void aHashedKeyHasTheScopesItsEntryNames() {
        ApiKeys keys = ApiKeys.of(List.of(), List.of("radiology:" + IrisIntegrationTest.sha256("k1") + ":iris.read"));
        assertEquals(Set.of(Caller.READ), keys.authenticate("k1").orElseThrow().scopes());
        assertTrue(keys.authenticate("k2").isEmpty());
        assertTrue(keys.authenticate("").isEmpty());
    }

    @Test
    void aMalformedEntryStopsStartUpWithoutShowingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.of(List.of("a:k", "no-tenant-separator-secret"), List.of()));
        assertTrue(e.getMessage().contains("entry 2"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.of(List.of(), List.of("t:abc")));
        assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.of(List.of(), List.of("t:" + IrisIntegrationTest.sha256("k") + ":iris.admin")));
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.of(List.of("bad tenant:k"), List.of()));
    }

    @Test
    void aGeneratedDevelopmentKeyIsAcceptedForTenantDev() {
        ApiKeys.Generated generated = ApiKeys.development();
        assertEquals("dev", generated.keys().authenticate(generated.key()).orElseThrow().tenant());
        assertFalse(generated.key().equals(ApiKeys.development().key()));
    }
}
