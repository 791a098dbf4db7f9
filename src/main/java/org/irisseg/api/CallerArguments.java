package org.irisseg.api;

import java.util.List;
import java.util.Optional;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.security.Caller;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Gives controller methods the {@link Caller} that authentication put on the request, so that every task
 * operation names the caller's tenant. A request without one (it never passed authentication) is 401.
 */
@Configuration(proxyBeanMethods = false)
class CallerArguments implements WebMvcConfigurer {

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new Resolver());
    }

    private static final class Resolver implements HandlerMethodArgumentResolver {

        @Override
        public boolean supportsParameter(MethodParameter parameter) {
            return parameter.getParameterType() == Caller.class;
        }

        @Override
        public Caller resolveArgument(MethodParameter parameter, ModelAndViewContainer container,
                NativeWebRequest request, WebDataBinderFactory binders) {
            HttpServletRequest servlet = request.getNativeRequest(HttpServletRequest.class);
            return Optional.ofNullable(servlet).flatMap(Caller::of)
                    .orElseThrow(() -> new IrisException(ProblemType.UNAUTHENTICATED, "This call needs credentials"));
        }
    }
}
