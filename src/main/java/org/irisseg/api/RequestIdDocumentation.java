package org.irisseg.api;

import org.irisseg.audit.AuditFilter;
import org.springdoc.core.customizers.GlobalOpenApiCustomizer;
import org.springframework.stereotype.Component;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.StringSchema;

/**
 * Documents the {@code X-Request-Id} every API response carries (the audit log's request id) as one shared
 * header, referenced from every response of every API operation.
 */
@Component
class RequestIdDocumentation implements GlobalOpenApiCustomizer {

    private static final String REF = "#/components/headers/" + AuditFilter.REQUEST_ID_HEADER;

    @Override
    public void customise(OpenAPI openApi) {
        if (openApi.getComponents() == null) {
            openApi.setComponents(new Components());
        }
        openApi.getComponents().addHeaders(AuditFilter.REQUEST_ID_HEADER, new Header()
                .description("Id of this call in the audit log: the request's X-Request-Id when it is 1-64"
                        + " characters of A-Z a-z 0-9 . _ : - (starting with a letter or digit), else generated")
                .schema(new StringSchema().maxLength(64)));
        if (openApi.getPaths() == null) {
            return;
        }
        openApi.getPaths().forEach((path, item) -> {
            if (path.startsWith("/api/")) {
                item.readOperations().forEach(operation -> {
                    if (operation.getResponses() != null) {
                        operation.getResponses().values().forEach(response ->
                                response.addHeaderObject(AuditFilter.REQUEST_ID_HEADER, new Header().$ref(REF)));
                    }
                });
            }
        });
    }
}
