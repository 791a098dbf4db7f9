package org.irisseg.api;

import java.util.Map;

import org.springdoc.core.customizers.GlobalOperationComponentsCustomizer;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;

/**
 * Adds the problem answers an operation declares with {@link ProblemResponses} to the OpenAPI document:
 * each an {@code application/problem+json} {@link ProblemDetail} with the one shared description of its
 * status, so the controllers do not repeat them. Every such operation also answers 401 and 403: they all
 * need credentials and a scope.
 */
@Component
class ProblemResponseCustomizer implements GlobalOperationComponentsCustomizer {

    private static final String SCHEMA = "ProblemDetail";

    /** One description per status, shared by every operation that can answer it. */
    static final Map<Integer, String> DESCRIPTIONS = Map.of(
            401, "No valid API key or bearer token (WWW-Authenticate names the schemes)",
            403, "The credentials lack the scope this call needs (iris.read, or iris.write to change tasks), the"
                    + " token names no tenant, or the browser origin is not allowed",
            404, "Unknown task (or a task of another tenant)",
            406, "The Accept header admits no media type of the output asked for",
            409, "Task encoded by another model and not re-encodable",
            413, "Upload, volume or its memory need too large (multipart limit, iris.nifti.max-voxels,"
                    + " iris.admission.max-bytes)",
            415, "Not a NIfTI file or unsupported data type",
            429, "Too many requests waiting for an inference slot or memory; retry after Retry-After",
            503, "Model not ready, no inference slot or memory in time, the task store (database) or the"
                    + " token issuer unreachable; retry after Retry-After",
            507, "The task store could not save the change (disk full); nothing was changed");

    /** Springdoc calls the variant with components for this kind of customizer. */
    @Override
    public Operation customize(Operation operation, HandlerMethod handlerMethod) {
        return operation;
    }

    @Override
    public Operation customize(Operation operation, Components components, HandlerMethod handlerMethod) {
        ProblemResponses declared = handlerMethod.getMethodAnnotation(ProblemResponses.class);
        if (declared == null) {
            return operation;
        }
        if (components.getSchemas() == null || !components.getSchemas().containsKey(SCHEMA)) {
            ModelConverters.getInstance(true).readAll(ProblemDetail.class).forEach(components::addSchemas);
        }
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        if (!declared.badRequest().isEmpty()) {
            responses.addApiResponse("400", problem(declared.badRequest()));
        }
        responses.addApiResponse("401", problem(DESCRIPTIONS.get(401)));
        responses.addApiResponse("403", problem(DESCRIPTIONS.get(403)));
        for (int status : declared.value()) {
            String description = DESCRIPTIONS.get(status);
            if (description == null) {
                throw new IllegalStateException(handlerMethod + " declares problem status " + status
                        + ", which has no shared description");
            }
            responses.addApiResponse(String.valueOf(status), problem(description));
        }
        return operation.responses(responses);
    }

    private static ApiResponse problem(String description) {
        Schema<?> schema = new Schema<>().$ref("#/components/schemas/" + SCHEMA);
        return new ApiResponse().description(description)
                .content(new Content().addMediaType(ApiDocs.PROBLEM_JSON, new MediaType().schema(schema)));
    }
}
