package org.irisseg;

import org.irisseg.model.DjlSettings;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point of the Iris segmentation service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class IrisApplication {
    public static void main(String[] args) {
        DjlSettings.apply();
        SpringApplication.run(IrisApplication.class, args);
    }
}
