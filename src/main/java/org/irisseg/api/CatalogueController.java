package org.irisseg.api;

import java.util.List;

import org.irisseg.audit.AuditFacts;
import org.irisseg.model.MemoryBank;
import org.irisseg.model.ModelRuntime;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The model's built-in classes: the memory bank exported with it, usable without a reference. */
@RestController
@RequestMapping("/api/v1/catalogue")
@Tag(name = "catalogue", description = "Classes the model was trained on, segmented without a reference")
public class CatalogueController {

    private final ModelRuntime model;

    public CatalogueController(ModelRuntime model) {
        this.model = model;
    }

    @Operation(operationId = "listCatalogue", summary = "List the built-in classes",
            description = "Classes the loaded model saw in training, each a moving average of its task embeddings"
                    + " (the memory bank; the model card says how it was made). Empty when the model was exported"
                    + " without one.")
    @ApiResponse(responseCode = "200", description = "The built-in classes")
    @ProblemResponses(503)
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Catalogue list() {
        MemoryBank bank = model.memoryBank();
        AuditFacts.modelVersion(model.modelVersion());
        return new Catalogue(model.modelVersion(), bank.classes().stream().map(BuiltIn::of).toList());
    }

    /** The catalogue of the loaded model. */
    public record Catalogue(
            @Schema(description = "Model version the classes belong to", example = "iris-small@0.1.0+1dacc90187ba")
            String modelVersion,
            List<BuiltIn> classes) {
    }

    /** One built-in class. */
    public record BuiltIn(
            @Schema(description = "Identifier: <dataset>/<view>/<name>", example = "hippocampus/whole/anterior")
            String id,
            @Schema(description = "Training set the class came from", example = "hippocampus")
            String dataset,
            @Schema(description = "Crop of that set the class was seen in", example = "whole")
            String view,
            @Schema(description = "The label's name", example = "anterior")
            String name,
            @Schema(description = "Task embeddings folded into the class's average", example = "812")
            long updates) {

        static BuiltIn of(MemoryBank.BuiltInClass c) {
            return new BuiltIn(c.id(), c.dataset(), c.view(), c.name(), c.updates());
        }
    }
}
