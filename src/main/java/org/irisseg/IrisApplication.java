package org.irisseg;

import org.irisseg.model.DjlSettings;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;

/**
 * Entry point of the Iris segmentation service. No user names or passwords: callers authenticate with
 * API keys or bearer tokens ({@code security.SecurityConfiguration}).
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
public class IrisApplication {
    public static void main(String[] args) {
        DjlSettings.apply();
        SpringApplication.run(IrisApplication.class, args);
    }
}
