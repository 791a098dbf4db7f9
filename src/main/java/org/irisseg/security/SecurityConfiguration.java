package org.irisseg.security;

import java.util.Set;

import org.irisseg.config.IrisProperties;
import org.irisseg.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.ExceptionTranslationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.filter.CorsFilter;

/**
 * One stateless filter chain for the API port and the management port: CORS first, then an API key
 * ({@value ApiKeys#HEADER}) or a bearer JWT ({@link JwtConfiguration}), then authorisation
 * ({@link ApiAuthorization}). Open without credentials: the health probes, info and Prometheus (they only
 * exist on the management port), the OpenAPI document and Swagger UI. Refusals are problem+json
 * ({@link Refusals}). With {@code iris.security.enabled=false} every call runs as {@code anonymous} of tenant
 * {@code default} with every scope.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);
    /** The caller of every request while security is disabled. */
    static final Caller ANONYMOUS = new Caller("anonymous", Task.DEFAULT_TENANT, Set.of(Caller.READ, Caller.WRITE));
    static final String[] OPEN_ACTUATOR = {"/actuator/health", "/actuator/health/**", "/actuator/info",
            "/actuator/prometheus"};
    static final String[] API_DOCS = {"/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml", "/swagger-ui.html",
            "/swagger-ui/**"};

    /** The configured keys; a generated development key when security is on and nothing else is configured. */
    @Bean
    ApiKeys irisApiKeys(IrisProperties properties, ObjectProvider<JwtDecoder> jwt,
            @Value("${server.port:8080}") String port) {
        IrisProperties.Security security = properties.security();
        ApiKeys keys = ApiKeys.of(security.apiKeys(), security.apiKeyHashes());
        if (!security.enabled()) {
            log.warn("""

                    ************************************************************************************
                    SECURITY IS DISABLED (iris.security.enabled=false): every call runs as 'anonymous'
                    of tenant 'default' with every scope, without any credentials. Use this only for a
                    local trial on a machine nobody else can reach; never on a network.{}
                    ************************************************************************************""",
                    keys.isEmpty() ? "" : "\n" + keys.size() + " configured API key(s) are ignored.");
            return keys;
        }
        if (keys.isEmpty() && jwt.getIfAvailable() == null) {
            ApiKeys.Generated generated = ApiKeys.development();
            log.warn("""

                    ************************************************************************************
                    No API key and no token issuer configured: generated a development key for tenant
                    '{}', valid until this process stops:

                        {}

                    Send it with every call, e.g.
                        curl -H 'X-API-Key: {}' http://localhost:{}/api/v1/tasks
                    or use "Authorize" in Swagger UI. For anything beyond a trial configure
                    IRIS_API_KEYS=tenant:key, IRIS_SECURITY_API_KEY_HASHES or a token issuer.
                    ************************************************************************************""",
                    ApiKeys.DEVELOPMENT_TENANT, generated.key(), generated.key(), port);
            return generated.keys();
        }
        log.info("Authentication: {} API key(s){}", keys.size(), jwt.getIfAvailable() == null ? "" : ", bearer JWTs");
        return keys;
    }

    @Bean
    SecurityFilterChain irisSecurityFilterChain(HttpSecurity http, IrisProperties properties, ApiKeys keys,
            ObjectProvider<JwtDecoder> jwt) throws Exception {
        JwtDecoder decoder = properties.security().enabled() ? jwt.getIfAvailable() : null;
        String tenantClaim = properties.security().jwt().tenantClaim();
        Refusals refusals = new Refusals(decoder != null, tenantClaim);
        http.csrf(c -> c.disable())
                .cors(c -> c.disable())
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(e -> e.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))
                .addFilterAt(new CorsPolicy(properties.cors().allowedOrigins()), CorsFilter.class)
                .addFilterBefore(new CallerRequestFilter(), ExceptionTranslationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(OPEN_ACTUATOR).permitAll()
                        .requestMatchers(API_DOCS).permitAll()
                        .requestMatchers("/error").permitAll()
                        .requestMatchers("/api/**").access(new ApiAuthorization())
                        .anyRequest().authenticated());
        if (!properties.security().enabled()) {
            http.addFilterBefore(new FixedCallerFilter(ANONYMOUS), AnonymousAuthenticationFilter.class);
            return http.build();
        }
        http.addFilterBefore(new ApiKeyFilter(keys, refusals), AnonymousAuthenticationFilter.class);
        if (decoder != null) {
            http.oauth2ResourceServer(o -> o
                    .authenticationEntryPoint(refusals)
                    .accessDeniedHandler(refusals)
                    .jwt(j -> j.decoder(decoder).jwtAuthenticationConverter(new JwtCallerConverter(tenantClaim)))
                    .withObjectPostProcessor(new ObjectPostProcessor<BearerTokenAuthenticationFilter>() {
                        @Override
                        public <O extends BearerTokenAuthenticationFilter> O postProcess(O filter) {
                            filter.setAuthenticationFailureHandler(refusals);
                            return filter;
                        }
                    }));
        }
        return http.build();
    }
}
