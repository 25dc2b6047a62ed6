package io.axlearn.trainer.serve;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Named {@link ApiTask}s for {@code axlearn eval-api --task NAME}, found with {@link
 * java.util.ServiceLoader}: list implementations in {@code
 * META-INF/services/io.axlearn.trainer.serve.ApiTaskProvider}.
 */
public interface ApiTaskProvider {

    /** Task names to factories (a task may be costly to build: it is built only when named). */
    Map<String, Supplier<ApiTask>> tasks();
}
