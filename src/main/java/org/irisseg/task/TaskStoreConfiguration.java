package org.irisseg.task;

import org.irisseg.config.IrisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import tools.jackson.databind.json.JsonMapper;

/** Chooses the {@link TaskStore}: the file store in {@code iris.store.dir}. */
@Configuration(proxyBeanMethods = false)
public class TaskStoreConfiguration {

    @Bean
    public TaskStore taskStore(IrisProperties properties, JsonMapper json) {
        return new FileTaskStore(properties.store().dir(), json);
    }
}
