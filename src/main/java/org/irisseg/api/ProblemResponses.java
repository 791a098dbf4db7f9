package org.irisseg.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The problem answers ({@code application/problem+json}) an operation documents. Their descriptions are
 * written once, in {@link ProblemResponseCustomizer}; only the 400 answer, whose causes differ per
 * operation, is described here.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface ProblemResponses {

    /** Statuses other than 400, each with its shared description. */
    int[] value() default {};

    /** Description of the 400 answer, naming this operation's bad inputs; empty: no 400 documented. */
    String badRequest() default "";
}
