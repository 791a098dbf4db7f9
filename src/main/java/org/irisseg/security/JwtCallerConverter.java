package org.irisseg.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * A validated bearer token as a {@link Caller}: principal {@code sub} (else {@code azp}/{@code client_id}),
 * tenant from the configured claim, scopes {@code iris.read}/{@code iris.write} from the standard
 * {@code scope} or {@code scp} claim (a space-separated string or a list). A token without a usable tenant
 * claim stays authenticated but without any scope, so every API call answers 403 and says why.
 */
final class JwtCallerConverter implements Converter<Jwt, AbstractAuthenticationToken> {

    private final String tenantClaim;

    JwtCallerConverter(String tenantClaim) {
        this.tenantClaim = tenantClaim;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        Object tenant = jwt.getClaims().get(tenantClaim);
        if (!(tenant instanceof String name) || !Tenants.isValid(name)) {
            return new JwtAuthenticationToken(jwt, List.of());
        }
        return new CallerAuthentication(new Caller(principal(jwt), name, scopes(jwt)));
    }

    String tenantClaim() {
        return tenantClaim;
    }

    private static String principal(Jwt jwt) {
        for (String claim : new String[] {"sub", "azp", "client_id"}) {
            String value = jwt.getClaimAsString(claim);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return "jwt";
    }

    private static Set<String> scopes(Jwt jwt) {
        Set<String> granted = new LinkedHashSet<>();
        for (String claim : new String[] {"scope", "scp"}) {
            Object value = jwt.getClaims().get(claim);
            if (value instanceof String text) {
                granted.addAll(List.of(text.trim().split("\\s+")));
            } else if (value instanceof Collection<?> list) {
                list.forEach(v -> granted.add(String.valueOf(v)));
            }
        }
        granted.retainAll(Set.of(Caller.READ, Caller.WRITE));
        return granted;
    }
}
