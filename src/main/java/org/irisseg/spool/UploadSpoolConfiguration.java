package org.irisseg.spool;

import org.irisseg.config.IrisProperties;
import org.springframework.boot.servlet.autoconfigure.MultipartProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import jakarta.servlet.MultipartConfigElement;

/**
 * Multipart uploads are spooled to this process's folder of the {@link UploadSpool}, not to a random
 * folder of the servlet container's temporary directory: sizes and threshold stay those of
 * {@code spring.servlet.multipart.*}.
 */
@Configuration(proxyBeanMethods = false)
public class UploadSpoolConfiguration {

    @Bean(destroyMethod = "close")
    public UploadSpool uploadSpool(IrisProperties properties) {
        return UploadSpool.open(properties.upload().spoolDirOrDefault());
    }

    @Bean
    public MultipartConfigElement multipartConfigElement(MultipartProperties multipart, UploadSpool spool) {
        MultipartConfigElement configured = multipart.createMultipartConfig();
        return new MultipartConfigElement(spool.dir().toString(), configured.getMaxFileSize(),
                configured.getMaxRequestSize(), configured.getFileSizeThreshold());
    }
}
