package io.axlearn.core.config;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DatabindContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.jsontype.impl.TypeIdResolverBase;

/** Maps config classes to and from their {@link ConfigTypes} names for Jackson's {@code @type}. */
final class ConfigTypeIdResolver extends TypeIdResolverBase {

    @Override
    public String idFromValue(Object value) {
        return idFromValueAndType(value, value.getClass());
    }

    @Override
    public String idFromValueAndType(Object value, Class<?> suggestedType) {
        return ConfigTypes.nameOf(suggestedType)
                .orElseThrow(
                        () ->
                                new ConfigException(
                                        "config class "
                                                + suggestedType.getName()
                                                + " has no @type name: a local or anonymous"
                                                + " class has no canonical name; make it a"
                                                + " top-level or static nested class, or"
                                                + " register it with ConfigTypes.register"));
    }

    @Override
    public JavaType typeFromId(DatabindContext context, String id) {
        Class<?> type = ConfigTypes.classOf(id);
        return context.constructType(type);
    }

    @Override
    public JsonTypeInfo.Id getMechanism() {
        return JsonTypeInfo.Id.CUSTOM;
    }
}
