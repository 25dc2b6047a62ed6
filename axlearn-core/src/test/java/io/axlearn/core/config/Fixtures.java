package io.axlearn.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small config tree that exercises every supported field type, for the config tests. */
final class Fixtures {
    private Fixtures() {}

    enum Activation {
        RELU,
        GELU
    }

    /** A record leaf. */
    record Window(int height, int width) {}

    /** An abstract slot type with two registered variants. */
    abstract static class Norm<S extends Norm<S>> extends FunctionConfig<S, String> {
        @Required Integer dim;

        S dim(int v) {
            return set(() -> dim = v);
        }
    }

    static final class LayerNorm extends Norm<LayerNorm> {
        double eps = 1e-5;

        LayerNorm eps(double v) {
            return set(() -> eps = v);
        }

        @Override
        protected String create() {
            return "layer_norm(" + dim + ", " + eps + ")";
        }
    }

    static final class RmsNorm extends Norm<RmsNorm> {
        double eps = 1e-6;
        boolean scale = true;

        @Override
        protected String create() {
            return "rms_norm(" + dim + ")";
        }
    }

    /** A plain data config (not instantiable): its required fields are checked by its owner. */
    static final class Head extends ConfigBase<Head> {
        @Required Integer numClasses;
        String label = "head";

        Head numClasses(int v) {
            return set(() -> numClasses = v);
        }
    }

    /** The root config. */
    static final class Encoder extends InstantiableConfig<Encoder, String> {
        @Required Integer numLayers;
        @Required Integer modelDim;
        double dropout = 0.0;
        Activation activation = Activation.RELU;
        String name = "encoder";
        List<Integer> dims = new ArrayList<>(List.of(8, 16));
        Window window = new Window(3, 3);
        Norm<?> norm = new LayerNorm();
        Map<String, Head> heads = new LinkedHashMap<>();
        Long seed;

        Encoder numLayers(int v) {
            return set(() -> numLayers = v);
        }

        Encoder modelDim(int v) {
            return set(() -> modelDim = v);
        }

        Encoder dropout(double v) {
            return set(() -> dropout = v);
        }

        Encoder norm(Norm<?> v) {
            return set(() -> norm = v.copy());
        }

        Encoder head(String key, Head v) {
            return set(() -> heads.put(key, v.copy()));
        }

        @Override
        protected void validate() {
            if (numLayers <= 0) {
                throw invalid("numLayers", "must be positive, got " + numLayers);
            }
        }

        @Override
        protected String create() {
            String normText =
                    norm.copy().dim(modelDim).instantiateAt(ConfigPath.child(path(), "norm"));
            return "encoder(" + numLayers + "x" + modelDim + ", " + normText + ")";
        }
    }

    /** Registers the fixtures' {@code @type} names through {@link java.util.ServiceLoader}. */
    public static final class Types implements ConfigTypeProvider {
        @Override
        public Map<String, Class<? extends ConfigBase<?>>> configTypes() {
            return Map.of(
                    "test/Encoder", Encoder.class,
                    "test/LayerNorm", LayerNorm.class,
                    "test/RmsNorm", RmsNorm.class,
                    "test/Head", Head.class);
        }
    }

    /** A fully set encoder with a head. */
    static Encoder encoder() {
        return new Encoder().numLayers(2).modelDim(16).head("cls", new Head().numClasses(10));
    }
}
