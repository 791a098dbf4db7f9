package org.irisseg.audit;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The stable operation name of an API call, from its method and path, so that calls refused before they
 * reach a controller (401, 403, 413, ...) are named the same way as the ones that do.
 */
final class AuditActions {

    /** The name of a call to no API operation (unknown path or method). */
    static final String UNKNOWN = "unknown";
    /** A CORS preflight. */
    static final String PREFLIGHT = "cors.preflight";

    private record Route(HttpMethod method, PathPattern pattern, String action) {
    }

    /** An API call's action and, where its path names one, the task id (still to be checked for form). */
    record Match(String action, String pathTaskId) {
    }

    private static final List<Route> ROUTES = List.of(
            route(HttpMethod.POST, "/api/v1/tasks", "task.register"),
            route(HttpMethod.GET, "/api/v1/tasks", "task.list"),
            route(HttpMethod.GET, "/api/v1/tasks/{id}", "task.get"),
            route(HttpMethod.DELETE, "/api/v1/tasks/{id}", "task.delete"),
            route(HttpMethod.POST, "/api/v1/tasks/{id}/references", "task.add-references"),
            route(HttpMethod.POST, "/api/v1/segmentations", "segmentation.create"),
            route(HttpMethod.POST, "/api/v1/segmentations/statistics", "segmentation.statistics"),
            route(HttpMethod.GET, "/api/v1/catalogue", "catalogue.get"));

    private AuditActions() {
    }

    /** Every action an API operation can have, in the order of the routes. */
    static List<String> all() {
        return ROUTES.stream().map(Route::action).toList();
    }

    /**
     * @param method the HTTP method
     * @param path   the request path without the context path, still percent-encoded
     */
    static Match of(String method, String path) {
        PathContainer container = PathContainer.parsePath(path);
        for (Route route : ROUTES) {
            if (route.method().matches(method)) {
                PathPattern.PathMatchInfo info = route.pattern().matchAndExtract(container);
                if (info != null) {
                    Map<String, String> variables = info.getUriVariables();
                    return new Match(route.action(), variables.get("id"));
                }
            }
        }
        return new Match(HttpMethod.OPTIONS.matches(method) ? PREFLIGHT : UNKNOWN, null);
    }

    private static Route route(HttpMethod method, String pattern, String action) {
        return new Route(method, PathPatternParser.defaultInstance.parse(pattern), action);
    }
}
