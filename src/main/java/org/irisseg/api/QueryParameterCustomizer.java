package org.irisseg.api;

import java.util.Map;

import org.springdoc.core.customizers.GlobalOperationCustomizer;
import org.springframework.core.MethodParameter;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;

import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.QueryParameter;

/**
 * Documents a multipart operation's {@code @RequestParam} marked {@code @Parameter(in = QUERY)} as a query
 * parameter: springdoc (with {@code default-support-form-data}) files every request parameter of a
 * multipart operation as a form field, and the server reads either.
 */
@Component
class QueryParameterCustomizer implements GlobalOperationCustomizer {

    @Override
    public Operation customize(Operation operation, HandlerMethod handlerMethod) {
        for (MethodParameter parameter : handlerMethod.getMethodParameters()) {
            io.swagger.v3.oas.annotations.Parameter doc =
                    parameter.getParameterAnnotation(io.swagger.v3.oas.annotations.Parameter.class);
            RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
            if (doc != null && param != null && doc.in() == ParameterIn.QUERY) {
                moveToQuery(operation, param.value());
            }
        }
        return operation;
    }

    @SuppressWarnings("rawtypes")
    private static void moveToQuery(Operation operation, String name) {
        if (operation.getRequestBody() == null || operation.getRequestBody().getContent() == null) {
            return;
        }
        MediaType form = operation.getRequestBody().getContent()
                .get(org.springframework.http.MediaType.MULTIPART_FORM_DATA_VALUE);
        if (form == null || form.getSchema() == null || form.getSchema().getProperties() == null) {
            return;
        }
        Map<String, Schema> properties = form.getSchema().getProperties();
        Schema schema = properties.remove(name);
        if (schema == null) {
            return;
        }
        if (form.getSchema().getRequired() != null) {
            form.getSchema().getRequired().remove(name);
        }
        String description = schema.getDescription();
        schema.setDescription(null);
        boolean present = operation.getParameters() != null
                && operation.getParameters().stream().anyMatch(p -> name.equals(p.getName()));
        if (!present) {
            operation.addParametersItem(new QueryParameter().name(name).description(description).schema(schema));
        }
    }
}
