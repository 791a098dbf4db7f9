package org.irisseg.model;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a missing model directory into Spring Boot's "APPLICATION FAILED TO START" report. */
public class ModelDirectoryFailureAnalyzer extends AbstractFailureAnalyzer<ModelDirectory.NotFound> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ModelDirectory.NotFound cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Set iris.model.dir (environment IRIS_MODEL_DIR) to an exported model directory holding "
                        + ModelManifest.FILE_NAME + " and its three TorchScript files.", cause);
    }
}
