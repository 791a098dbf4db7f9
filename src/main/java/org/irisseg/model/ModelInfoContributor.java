package org.irisseg.model;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/** Adds the loaded model's identity and shape to {@code /actuator/info}. */
@Component
public class ModelInfoContributor implements InfoContributor {

    private final ModelRuntime runtime;

    public ModelInfoContributor(ModelRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("state", runtime.state().name().toLowerCase());
        if (runtime.state() == ModelRuntime.State.READY) {
            ModelManifest manifest = runtime.manifest();
            model.put("version", manifest.modelVersion());
            model.put("grid", manifest.grid());
            model.put("embeddingDim", manifest.embeddingDim());
        }
        builder.withDetail("model", model);
    }
}
