package org.irisseg.api;

import java.util.List;

import org.irisseg.security.ApiKeys;
import org.irisseg.security.Caller;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;

/**
 * Title, version, server and security schemes of the served OpenAPI document. The server is relative so the
 * document is the same on every host and port, and equals the checked-in {@code openapi/openapi.yaml}.
 * Every operation accepts an API key or a bearer JWT, so Swagger UI's "Authorize" works for both; the
 * {@link Caller} argument of the controllers is not a request parameter.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    static final String API_KEY = "apiKey";
    static final String BEARER = "bearer";

    static {
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    @Bean
    public OpenAPI irisOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Iris segmentation service")
                        .version("v1")
                        .description("In-context segmentation of 3D medical volumes (NIfTI): register reference"
                                + " image-mask pairs as a task once, then segment any query volume with it."
                                + " Errors are RFC 9457 problem+json; their type URIs are listed under"
                                + " " + org.irisseg.error.ProblemType.BASE + "<cause>. Every call needs an API key"
                                + " (header " + ApiKeys.HEADER + ") or a bearer JWT; each task belongs to the caller's"
                                + " tenant. Scope " + Caller.READ + " lists, reads and segments; " + Caller.WRITE
                                + " registers, grows and deletes tasks.")
                        .license(new License().name("Apache-2.0").identifier("Apache-2.0")))
                .servers(List.of(new Server().url("/").description("This service")))
                .components(new Components()
                        .addSecuritySchemes(API_KEY, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name(ApiKeys.HEADER)
                                .description("An API key of IRIS_API_KEYS or IRIS_SECURITY_API_KEY_HASHES, or the"
                                        + " development key the service logs at start-up when none is configured"))
                        .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").bearerFormat("JWT")
                                .description("An access token of the configured issuer with the scopes "
                                        + Caller.READ + " and/or " + Caller.WRITE + " and a tenant claim")))
                .security(List.of(new SecurityRequirement().addList(API_KEY),
                        new SecurityRequirement().addList(BEARER)));
    }
}
