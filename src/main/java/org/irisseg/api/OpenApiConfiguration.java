package org.irisseg.api;

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.servers.Server;

/**
 * Title, version and server of the served OpenAPI document. The server is relative so the document is
 * the same on every host and port, and equals the checked-in {@code openapi/openapi.yaml}.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    @Bean
    public OpenAPI irisOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Iris segmentation service")
                        .version("v1")
                        .description("In-context segmentation of 3D medical volumes (NIfTI): register reference"
                                + " image-mask pairs as a task once, then segment any query volume with it."
                                + " Errors are RFC 9457 problem+json; their type URIs are listed under"
                                + " " + org.irisseg.error.ProblemType.BASE + "<cause>.")
                        .license(new License().name("Apache-2.0").identifier("Apache-2.0")))
                .servers(List.of(new Server().url("/").description("This service")));
    }
}
