package org.irisseg.model;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor {@code model}, part of the readiness group: UP once the model is loaded, verified
 * against {@code model.json} and warm; OUT_OF_SERVICE while loading; DOWN when loading failed.
 */
@Component
public class ModelHealthIndicator implements HealthIndicator {

    private final ModelRuntime runtime;

    public ModelHealthIndicator(ModelRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Health health() {
        return switch (runtime.state()) {
            case READY -> Health.up().withDetail("modelVersion", runtime.modelVersion()).build();
            case LOADING -> Health.outOfService().withDetail("state", "loading").build();
            case FAILED -> Health.down().withDetail("state", "failed").build();
        };
    }
}
