package org.irisseg.security;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.UUID;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.TestIssuer;
import org.junit.jupiter.api.Test;

/**
 * Bearer tokens of a real OpenID Connect issuer ({@link TestIssuer}, discovered over HTTP) against the
 * running service: what is accepted, and why everything else is 401 or 403.
 */
class JwtAuthenticationTest extends IrisIntegrationTest {

    private static final String BOTH = Caller.READ + " " + Caller.WRITE;

    private IrisClient bearer(String token) {
        return IrisClient.withToken(port, token);
    }

    private static String bearerChallenge(HttpResponse<byte[]> response) {
        return response.headers().allValues("WWW-Authenticate").stream().filter(c -> c.startsWith("Bearer "))
                .findFirst().orElse("");
    }

    @Test
    void aValidTokenReadsItsTenantsTasks() {
        HttpResponse<byte[]> response = bearer(TestIssuer.token("alice", "jwt-" + UUID.randomUUID(), Caller.READ))
                .get("/api/v1/tasks");
        assertEquals(200, response.statusCode(), new String(response.body()));
        assertEquals("0", response.headers().firstValue("X-Total-Count").orElse(""));
    }

    @Test
    void aTokenSharesTheTasksOfItsTenantWithTheTenantsApiKeys() {
        String owned = client().get("/api/v1/tasks?size=500").headers().firstValue("X-Total-Count").orElseThrow();
        HttpResponse<byte[]> viaToken = bearer(TestIssuer.token("bob", IrisClient.TENANT, Caller.READ))
                .get("/api/v1/tasks?size=500");
        assertEquals(owned, viaToken.headers().firstValue("X-Total-Count").orElseThrow());
    }

    @Test
    void aCallWithoutATokenIsUnauthenticated() {
        HttpResponse<byte[]> response = IrisClient.anonymous(port).get("/api/v1/tasks");
        assertProblem(response, 401, "unauthenticated");
        assertTrue(bearerChallenge(response).startsWith("Bearer realm="), bearerChallenge(response));
    }

    @Test
    void anExpiredTokenIsUnauthenticated() {
        String expired = TestIssuer.token(TestIssuer.ISSUER, "carol", "t1", BOTH, TestIssuer.AUDIENCE, -600);
        HttpResponse<byte[]> response = bearer(expired).get("/api/v1/tasks");
        String detail = assertProblem(response, 401, "unauthenticated").path("detail").asString();
        assertTrue(detail.contains("expired"), detail);
        assertTrue(bearerChallenge(response).contains("error=\"invalid_token\""), bearerChallenge(response));
    }

    @Test
    void aTokenOfAnotherIssuerIsUnauthenticated() {
        String foreign = TestIssuer.token(TestIssuer.OTHER_ISSUER, "dave", "t1", BOTH, TestIssuer.AUDIENCE, 3600);
        HttpResponse<byte[]> response = bearer(foreign).get("/api/v1/tasks");
        assertProblem(response, 401, "unauthenticated");
        assertTrue(bearerChallenge(response).contains("error=\"invalid_token\""), bearerChallenge(response));
    }

    @Test
    void aTokenForAnotherAudienceIsUnauthenticated() {
        String elsewhere = TestIssuer.token(TestIssuer.ISSUER, "erin", "t1", BOTH, "another-service", 3600);
        String detail = assertProblem(bearer(elsewhere).get("/api/v1/tasks"), 401, "unauthenticated")
                .path("detail").asString();
        assertTrue(detail.contains("aud"), detail);
    }

    @Test
    void aTamperedTokenIsUnauthenticated() {
        String token = TestIssuer.token("frank", "t1", BOTH);
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertProblem(bearer(tampered).get("/api/v1/tasks"), 401, "unauthenticated");
        assertProblem(bearer("not-a-jwt").get("/api/v1/tasks"), 401, "unauthenticated");
    }

    @Test
    void aTokenWithTheReadScopeOnlyCannotRegisterOrDelete() {
        IrisClient reader = bearer(TestIssuer.token("grace", "t1", Caller.READ));
        assertEquals(200, reader.get("/api/v1/catalogue").statusCode());
        HttpResponse<byte[]> refused = reader.post("/api/v1/tasks", Multipart.form().field("name", "ball")
                .file("references", "ball.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                .file("masks", "mask.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii()), null);
        assertTrue(assertProblem(refused, 403, "forbidden").path("detail").asString().contains(Caller.WRITE));
        assertProblem(reader.delete("/api/v1/tasks/" + UUID.randomUUID()), 403, "forbidden");
    }

    @Test
    void aTokenWithoutAnIrisScopeCannotEvenRead() {
        IrisClient none = bearer(TestIssuer.token("heidi", "t1", "openid profile"));
        String detail = assertProblem(none.get("/api/v1/tasks"), 403, "forbidden").path("detail").asString();
        assertTrue(detail.contains(Caller.READ), detail);
        assertProblem(none.post("/api/v1/segmentations", Multipart.form().field("taskId", "builtin")
                .file("image", "q.nii", NiftiBytes.volume(16, 16, 16).blob().nii()), null), 403, "forbidden");
    }

    @Test
    void aTokenWithoutATenantClaimIsForbiddenAndSaysWhy() {
        IrisClient tenantless = bearer(TestIssuer.token("ivan", null, BOTH));
        String detail = assertProblem(tenantless.get("/api/v1/tasks"), 403, "forbidden").path("detail").asString();
        assertTrue(detail.contains("'tenant' claim"), detail);
        assertProblem(bearer(TestIssuer.token("judy", "bad tenant!", BOTH)).get("/api/v1/tasks"), 403, "forbidden");
    }
}
