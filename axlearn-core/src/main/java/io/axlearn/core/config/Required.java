package io.axlearn.core.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a config field that has no sensible default and must be set before {@link
 * InstantiableConfig#instantiate()}.
 *
 * <p>Required fields are boxed and {@code null} until set. {@code instantiate()} checks them all
 * and throws one {@link MissingRequiredException} that names every missing dotted path. A parent
 * layer that owns a child's dims (axlearn's rule: the parent writes {@code inputDim} into a copy of
 * the child config) sets them before it instantiates the child, so a user never has to.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Required {}
