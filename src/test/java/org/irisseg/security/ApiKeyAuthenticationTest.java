package org.irisseg.security;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.junit.jupiter.api.Test;

/** API keys over real HTTP: plaintext keys (IRIS_API_KEYS) and SHA-256 hashes with scopes. */
class ApiKeyAuthenticationTest extends IrisIntegrationTest {

    private static Multipart ballTask() {
        return Multipart.form().field("name", "ball")
                .file("references", "ball.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                .file("masks", "mask.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii());
    }

    @Test
    void aCallWithoutCredentialsIsUnauthenticatedAndNamesBothSchemes() {
        HttpResponse<byte[]> response = IrisClient.anonymous(port).get("/api/v1/tasks");
        assertProblem(response, 401, "unauthenticated");
        List<String> challenges = response.headers().allValues("WWW-Authenticate");
        assertTrue(challenges.stream().anyMatch(c -> c.startsWith("ApiKey ") && c.contains("X-API-Key")), challenges.toString());
        assertTrue(challenges.stream().anyMatch(c -> c.startsWith("Bearer ")), challenges.toString());
    }

    @Test
    void anUnknownKeyIsUnauthenticatedAndNeverEchoed() {
        HttpResponse<byte[]> response = IrisClient.withKey(port, "not-a-key-of-this-service").get("/api/v1/tasks");
        assertProblem(response, 401, "unauthenticated");
        assertFalse(new String(response.body()).contains("not-a-key-of-this-service"));
    }

    @Test
    void aKeyThatDiffersFromAKnownOneInOneCharacterIsRefused() {
        String almost = IrisClient.API_KEY.substring(0, IrisClient.API_KEY.length() - 1) + "X";
        assertProblem(IrisClient.withKey(port, almost).get("/api/v1/catalogue"), 401, "unauthenticated");
    }

    @Test
    void everyEndpointRefusesACallWithoutCredentials() {
        IrisClient anonymous = IrisClient.anonymous(port);
        assertProblem(anonymous.get("/api/v1/catalogue"), 401, "unauthenticated");
        assertProblem(anonymous.get("/api/v1/tasks/00000000-0000-0000-0000-000000000001"), 401, "unauthenticated");
        assertProblem(anonymous.delete("/api/v1/tasks/00000000-0000-0000-0000-000000000001"), 401, "unauthenticated");
        assertProblem(anonymous.post("/api/v1/tasks", ballTask(), null), 401, "unauthenticated");
        assertProblem(anonymous.post("/api/v1/segmentations", Multipart.form().field("taskId", "builtin")
                .file("image", "q.nii", NiftiBytes.volume(16, 16, 16).blob().nii()), null), 401, "unauthenticated");
    }

    @Test
    void aKnownKeyIsAccepted() {
        assertEquals(200, client().get("/api/v1/tasks").statusCode());
        assertEquals(200, IrisClient.withKey(port, IrisClient.OTHER_API_KEY).get("/api/v1/tasks").statusCode());
    }

    @Test
    void aHashedKeyWithTheReadScopeReadsButCannotRegister() {
        IrisClient readOnly = IrisClient.withKey(port, IrisClient.READ_ONLY_API_KEY);
        assertEquals(200, readOnly.get("/api/v1/tasks").statusCode());
        HttpResponse<byte[]> refused = readOnly.post("/api/v1/tasks", ballTask(), null);
        String detail = assertProblem(refused, 403, "forbidden").path("detail").asString();
        assertTrue(detail.contains(Caller.WRITE), detail);
        assertProblem(readOnly.delete("/api/v1/tasks/00000000-0000-0000-0000-000000000001"), 403, "forbidden");
    }

    @Test
    void theOpenApiDocumentAndSwaggerUiNeedNoCredentials() {
        IrisClient anonymous = IrisClient.anonymous(port);
        assertEquals(200, anonymous.get("/v3/api-docs").statusCode());
        assertEquals(200, anonymous.get("/swagger-ui/index.html").statusCode());
        String docs = new String(anonymous.get("/v3/api-docs").body());
        assertTrue(docs.contains("\"apiKey\"") && docs.contains("\"X-API-Key\"") && docs.contains("\"bearer\""), docs);
    }

    @Test
    void anUnknownPathWithoutCredentialsIsUnauthenticatedNotDescribed() {
        assertProblem(IrisClient.anonymous(port).get("/api/v1/nothing-here"), 401, "unauthenticated");
        assertProblem(client().get("/api/v1/nothing-here"), 404, "not-found");
    }
}
