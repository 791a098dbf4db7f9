package org.irisseg.security;

import static org.irisseg.support.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.irisseg.support.IrisClient;
import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.TestIssuer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/tasks} of a tenant of its own (a token's tenant claim), page by page: a JSON array,
 * oldest first, with X-Total-Count and RFC 8288 links to the next and previous pages.
 */
class TaskPaginationTest extends IrisIntegrationTest {

    private static final int TASKS = 5;
    private static final String TENANT = "pages-" + UUID.randomUUID();
    private static final List<String> registered = new ArrayList<>();

    private IrisClient tenant() {
        return IrisClient.withToken(port, TestIssuer.token("paginator", TENANT, Caller.READ + " " + Caller.WRITE));
    }

    @BeforeEach
    void registerOnce() throws Exception {
        assumeModelReady();
        while (registered.size() < TASKS) {
            registered.add(tenant().registerTask(Multipart.form().field("name", "page task " + registered.size())
                    .file("references", "ball.nii", NiftiBytes.volume(16, 16, 16).blob().nii())
                    .file("masks", "mask.nii", NiftiBytes.volume(16, 16, 16).twoLabelBall(3).nii())));
        }
    }

    private static List<String> ids(HttpResponse<byte[]> page) {
        return IrisClient.json(page).valueStream().map(t -> t.path("id").asString()).toList();
    }

    private static String link(HttpResponse<byte[]> page) {
        return page.headers().firstValue("Link").orElse("");
    }

    @Test
    void theFirstPageHasTheOldestTasksTheTotalAndALinkToTheNext() {
        HttpResponse<byte[]> first = tenant().get("/api/v1/tasks?page=0&size=2");
        assertEquals(200, first.statusCode());
        assertEquals(registered.subList(0, 2), ids(first));
        assertEquals(String.valueOf(TASKS), first.headers().firstValue("X-Total-Count").orElse(""));
        assertEquals("</api/v1/tasks?page=1&size=2>; rel=\"next\"", link(first));
    }

    @Test
    void aMiddlePageLinksBothWays() {
        HttpResponse<byte[]> middle = tenant().get("/api/v1/tasks?page=1&size=2");
        assertEquals(registered.subList(2, 4), ids(middle));
        assertEquals("</api/v1/tasks?page=2&size=2>; rel=\"next\", </api/v1/tasks?page=0&size=2>; rel=\"prev\"",
                link(middle));
    }

    @Test
    void theLastPageHasTheRestAndNoNextLink() {
        HttpResponse<byte[]> last = tenant().get("/api/v1/tasks?page=2&size=2");
        assertEquals(registered.subList(4, 5), ids(last));
        assertEquals("</api/v1/tasks?page=1&size=2>; rel=\"prev\"", link(last));
    }

    @Test
    void aPageBeyondTheEndIsEmptyAndLinksBackToTheLastPage() {
        HttpResponse<byte[]> beyond = tenant().get("/api/v1/tasks?page=9&size=2");
        assertEquals(200, beyond.statusCode());
        assertTrue(ids(beyond).isEmpty());
        assertEquals("</api/v1/tasks?page=2&size=2>; rel=\"prev\"", link(beyond));
    }

    @Test
    void withoutParametersThePageHoldsUpToFiftyTasks() {
        HttpResponse<byte[]> all = tenant().get("/api/v1/tasks");
        assertEquals(registered, ids(all));
        assertTrue(all.headers().firstValue("Link").isEmpty());
    }

    @Test
    void badPageParametersAreInvalid() {
        for (String query : new String[] {"page=-1", "size=0", "size=501", "size=abc", "page=1.5"}) {
            assertProblem(tenant().get("/api/v1/tasks?" + query), 400, "invalid-parameter");
        }
        assertEquals(200, tenant().get("/api/v1/tasks?size=500").statusCode());
    }
}
