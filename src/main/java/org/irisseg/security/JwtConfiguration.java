package org.irisseg.security;

import java.util.ArrayList;
import java.util.List;

import org.irisseg.config.IrisProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderInitializationException;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;

/**
 * Bearer JWTs of the site's identity provider, when {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}
 * (keys found by OpenID discovery, at the first token, so start-up does not need the provider) or
 * {@code jwk-set-uri} is set. Every token must be signed by one of its keys, be within its validity (60 s
 * clock skew), come from the issuer (when {@code issuer-uri} is set) and, with {@code iris.security.jwt.audience},
 * name that audience. While the issuer cannot be reached (discovery or keys), bearer calls are 503
 * {@code issuer-unavailable} with Retry-After, never 500; API keys keep working.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${iris.security.enabled:true}' == 'true' and ("
        + "'${spring.security.oauth2.resourceserver.jwt.issuer-uri:}' != ''"
        + " or '${spring.security.oauth2.resourceserver.jwt.jwk-set-uri:}' != '')")
class JwtConfiguration {

    private static final Logger log = LoggerFactory.getLogger(JwtConfiguration.class);

    @Bean
    JwtDecoder irisJwtDecoder(IrisProperties properties,
            @Value("${spring.security.oauth2.resourceserver.jwt.issuer-uri:}") String issuer,
            @Value("${spring.security.oauth2.resourceserver.jwt.jwk-set-uri:}") String jwkSetUri) {
        String audience = properties.security().jwt().audience();
        OAuth2TokenValidator<Jwt> validator = validator(issuer, audience);
        log.info("Bearer tokens accepted from {} (audience {}, tenant claim '{}')",
                issuer.isBlank() ? jwkSetUri : issuer, audience == null || audience.isBlank() ? "not checked" : audience,
                properties.security().jwt().tenantClaim());
        if (!jwkSetUri.isBlank()) {
            NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwkSetUri).build();
            decoder.setJwtValidator(validator);
            return decoder;
        }
        SupplierJwtDecoder discovered = new SupplierJwtDecoder(() -> {
            NimbusJwtDecoder decoder = (NimbusJwtDecoder) JwtDecoders.fromIssuerLocation(issuer);
            decoder.setJwtValidator(validator);
            return decoder;
        });
        return token -> {
            try {
                return discovered.decode(token);
            } catch (JwtDecoderInitializationException e) {
                // discovery is tried again with the next token; meanwhile the call is 503 issuer-unavailable
                throw new JwtException("The token issuer's discovery document cannot be read", e);
            }
        };
    }

    static OAuth2TokenValidator<Jwt> validator(String issuer, String audience) {
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(issuer.isBlank() ? new JwtTimestampValidator() : JwtValidators.createDefaultWithIssuer(issuer));
        if (audience != null && !audience.isBlank()) {
            validators.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
                    aud -> aud != null && aud.contains(audience.strip())));
        }
        return new DelegatingOAuth2TokenValidator<>(validators);
    }
}
