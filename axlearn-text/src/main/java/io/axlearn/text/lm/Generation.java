package io.axlearn.text.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.attention.KvCache;
import io.axlearn.core.module.Constants;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.core.module.TextGenerator.Sampling;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntConsumer;

/**
 * Token generation of a {@link CausalLm} through its KV cache: the prompt is fed one token at a
 * time ({@link CausalLm#extendStep}), then every chosen token is fed back, so each step costs one
 * position. Each step's arrays live on a sub-manager closed after the step; only the caches are
 * kept.
 */
public final class Generation {
    private Generation() {}

    /**
     * Generates up to {@code sampling.maxTokens()} ids after {@code prompt}, stopping after {@code
     * eosId}.
     *
     * @param model the model
     * @param params its parameters
     * @param manager where the caches live (the caller closes it)
     * @param prompt the prompt ids (at least one)
     * @param sampling how tokens are chosen
     * @param eosId the id that ends generation (it is included), if any
     * @param onToken receives each generated id as it is chosen
     * @return the generated ids, without the prompt
     */
    public static int[] generate(
            CausalLm model,
            ParamTree params,
            NDManager manager,
            int[] prompt,
            Sampling sampling,
            OptionalInt eosId,
            IntConsumer onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens; give at least one");
        }
        TokenSampler sampler = new TokenSampler(sampling);
        List<KvCache> caches = model.emptyCaches();
        List<Integer> out = new ArrayList<>();
        float[] logits = null;
        // Rotary tables and masks: built once for the whole generation, not once per token.
        try (Constants constants = Constants.longLived(manager)) {
            int total = prompt.length + sampling.maxTokens() - 1;
            for (int t = 0; t < total; t++) {
                int token;
                if (t < prompt.length) {
                    token = prompt[t];
                } else {
                    token = sampler.next(logits);
                    out.add(token);
                    onToken.accept(token);
                    if (eosId.isPresent() && token == eosId.getAsInt()) {
                        return toArray(out);
                    }
                }
                try (NDManager step = manager.newSubManager()) {
                    NDArray ids = step.create(new long[] {token}, new Shape(1, 1));
                    CausalLm.Step s =
                            model.extendStep(
                                    ForwardContext.eval(params, step, constants), caches, ids);
                    logits = s.logits().toFloatArray();
                    List<KvCache> kept = new ArrayList<>();
                    for (KvCache c : s.caches()) {
                        c.key().attach(manager);
                        c.value().attach(manager);
                        kept.add(c);
                    }
                    caches.forEach(Generation::close);
                    caches = kept;
                }
            }
            int last = sampler.next(logits);
            out.add(last);
            onToken.accept(last);
            caches.forEach(Generation::close);
            return toArray(out);
        }
    }

    /**
     * The same generation without the cache: every step recomputes the logits of the whole sequence
     * ({@link CausalLm#logits}). Quadratic in the length; the reference the cached path is tested
     * against.
     */
    public static int[] generateByRecomputation(
            CausalLm model,
            ParamTree params,
            NDManager manager,
            int[] prompt,
            Sampling sampling,
            OptionalInt eosId) {
        TokenSampler sampler = new TokenSampler(sampling);
        List<Integer> sequence = new ArrayList<>();
        for (int id : prompt) {
            sequence.add(id);
        }
        List<Integer> out = new ArrayList<>();
        while (out.size() < sampling.maxTokens()) {
            float[] logits;
            try (NDManager step = manager.newSubManager()) {
                long[] ids = sequence.stream().mapToLong(Integer::longValue).toArray();
                NDArray all =
                        model.logits(
                                ForwardContext.eval(params, step),
                                step.create(ids, new Shape(1, ids.length)));
                logits = all.get(0).get(ids.length - 1).toFloatArray();
            }
            int token = sampler.next(logits);
            out.add(token);
            sequence.add(token);
            if (eosId.isPresent() && token == eosId.getAsInt()) {
                break;
            }
        }
        return toArray(out);
    }

    private static void close(KvCache cache) {
        if (cache.key() != null) {
            cache.key().close();
            cache.value().close();
        }
    }

    private static int[] toArray(List<Integer> ids) {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
