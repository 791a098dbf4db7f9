package org.irisseg.api;

/** Media types and descriptions shared by the controllers' OpenAPI annotations. */
final class ApiDocs {

    static final String PROBLEM_JSON = "application/problem+json";
    static final String GZIP = "application/gzip";

    private ApiDocs() {
    }
}
