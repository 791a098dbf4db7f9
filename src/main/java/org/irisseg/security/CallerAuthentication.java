package org.irisseg.security;

import java.util.Collection;
import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * An authenticated API call: its {@link Caller} is the principal, its scopes the authorities
 * ({@code SCOPE_iris.read}, {@code SCOPE_iris.write}). The credentials (a key or token) are not kept.
 */
final class CallerAuthentication extends AbstractAuthenticationToken {

    private final Caller caller;

    CallerAuthentication(Caller caller) {
        super(authorities(caller));
        this.caller = caller;
        setAuthenticated(true);
    }

    private static Collection<GrantedAuthority> authorities(Caller caller) {
        List<GrantedAuthority> out = caller.scopes().stream().sorted()
                .<GrantedAuthority>map(s -> new SimpleGrantedAuthority("SCOPE_" + s)).toList();
        return out;
    }

    Caller caller() {
        return caller;
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public String getName() {
        return caller.principal();
    }
}
