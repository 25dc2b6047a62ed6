package io.axlearn.core.io;

import io.axlearn.core.config.ConfigException;
import java.util.Collection;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@link WeightMap} of one model family (BERT, GPT-2, Llama, ViT, ResNet) against the names of
 * a foreign state dict, built for the size of a concrete model (its layer and block counts, read
 * from the tensor names). Implementations live beside their models and are registered in {@code
 * META-INF/services/io.axlearn.core.io.WeightFamily}; {@code axlearn convert --family} finds them
 * by {@link #name}.
 */
public interface WeightFamily {
    /** The name on the command line ({@code bert}). */
    String name();

    /**
     * The foreign naming: {@code hf} (Hugging Face transformers) or {@code torch} (torchvision).
     */
    String format();

    /** One line: the foreign model classes and ours. */
    String description();

    /** The map for a foreign state dict with these tensor names. */
    WeightMap forForeign(Collection<String> foreignNames);

    /** The map for a parameter tree of ours with these paths. */
    WeightMap forOurs(Collection<String> ourPaths);

    /** Every registered family by name. */
    static SortedMap<String, WeightFamily> all() {
        SortedMap<String, WeightFamily> out = new TreeMap<>();
        ServiceLoader.load(WeightFamily.class).forEach(f -> out.put(f.name(), f));
        return out;
    }

    /**
     * The family called {@code name}.
     *
     * @throws ConfigException naming the known families if there is none
     */
    static WeightFamily named(String name) {
        SortedMap<String, WeightFamily> all = all();
        WeightFamily f = all.get(name);
        if (f == null) {
            throw new ConfigException(
                    "unknown weight family '"
                            + name
                            + "'; known: "
                            + String.join(", ", all.keySet()));
        }
        return f;
    }
}
