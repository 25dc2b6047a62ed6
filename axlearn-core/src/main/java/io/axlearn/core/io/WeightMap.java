package io.axlearn.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.axlearn.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A two-way map between our parameter paths ({@code decoder/layer0/self_attention/q_proj/weight},
 * layouts of DESIGN §4: Linear {@code [in, out]}) and the names and layouts of a foreign state dict
 * (Hugging Face {@code h.0.attn.c_attn.weight}, torchvision {@code layer1.0.bn1.running_var}).
 *
 * <p>Each {@link Entry} maps one foreign tensor to one of ours, or to several of ours concatenated
 * along an axis (GPT-2's fused {@code c_attn} holds q, k and v), in a {@link Layout} (transposed,
 * leading unit axes); {@linkplain Kind#TIED tied} entries are foreign aliases of a tensor already
 * mapped (GPT-2's {@code lm_head.weight} is {@code wte.weight}); {@linkplain #dropped dropped}
 * patterns name foreign buffers that are not parameters ({@code num_batches_tracked}, causal-mask
 * buffers). Only values move, never arithmetic, so {@code toForeign(toOurs(x))} gives back the same
 * bytes and names as {@code x} (less the dropped buffers and, unless asked for, tied aliases).
 *
 * <p>Errors are one line naming the tensor: an unknown foreign name, a missing tensor with its
 * expected shape, a tensor of the wrong shape, tied aliases that differ. Partial loads are explicit
 * ({@link Selection#only}: a backbone without its head).
 *
 * <p>Family maps (BERT, GPT-2, Llama, ViT, ResNet) live beside their models and are found by name
 * through {@link WeightFamily}.
 */
public final class WeightMap {

    /** What an entry is. */
    public enum Kind {
        /**
         * A parameter: required on import (unless left out by the selection), written on export.
         */
        PARAM,
        /**
         * A foreign alias of a tensor another entry maps (tied weights): checked equal on import,
         * written on export only if {@link Selection#writeTied} is set.
         */
        TIED
    }

    /**
     * One foreign tensor and the tensor(s) of ours it holds.
     *
     * @param foreign the foreign name
     * @param ours our paths, one, or several concatenated along {@code axis} (in our layout)
     * @param axis the concatenation axis of a fused entry (ignored for one path)
     * @param layout how the (concatenated) tensor of ours is laid out abroad
     * @param kind parameter or tied alias
     */
    public record Entry(String foreign, List<String> ours, int axis, Layout layout, Kind kind) {
        /** Whether several of our tensors share this foreign one. */
        public boolean fused() {
            return ours.size() > 1;
        }
    }

    /**
     * What to convert and how strictly.
     *
     * @param only full-match pattern of our paths to convert; entries outside it are left out (a
     *     partial load), {@code null} for all
     * @param ourShapes our expected shapes by path (from the model's {@code paramSpecs()}) to check
     *     foreign shapes against and split fused tensors by: entries for paths the model lacks are
     *     skipped and every selected path of the model must be filled; empty to convert every entry
     *     and check only consistency
     * @param allowUnknown whether foreign tensors that no entry names are skipped instead of an
     *     error
     * @param writeTied whether export writes tied aliases too
     */
    public record Selection(
            Pattern only, Map<String, Shape> ourShapes, boolean allowUnknown, boolean writeTied) {
        /** Everything, strictly, without expected shapes. */
        public static Selection all() {
            return new Selection(null, Map.of(), false, false);
        }

        /** Only our paths fully matching {@code regex} (for example {@code "bert/.*"}). */
        public Selection only(String regex) {
            return new Selection(Pattern.compile(regex), ourShapes, allowUnknown, writeTied);
        }

        /** Checks against the shapes of a model's {@code paramSpecs()}. */
        public Selection withSpecs(Map<String, io.axlearn.core.module.ParamSpec> specs) {
            Map<String, Shape> shapes = new LinkedHashMap<>();
            specs.forEach((k, v) -> shapes.put(k, v.shape()));
            return withShapes(shapes);
        }

        /** Checks against these shapes of ours. */
        public Selection withShapes(Map<String, Shape> shapes) {
            return new Selection(only, Map.copyOf(shapes), allowUnknown, writeTied);
        }

        /** Sets {@code allowUnknown}. */
        public Selection allowUnknown(boolean v) {
            return new Selection(only, ourShapes, v, writeTied);
        }

        /** Sets {@code writeTied}. */
        public Selection writeTied(boolean v) {
            return new Selection(only, ourShapes, allowUnknown, v);
        }

        boolean selects(String ourPath) {
            return only == null || only.matcher(ourPath).matches();
        }

        /** Selected, and in the model when the model's shapes are given. */
        boolean wanted(String ourPath) {
            return selects(ourPath) && (ourShapes.isEmpty() || ourShapes.containsKey(ourPath));
        }
    }

    /**
     * The converted tensors and what was passed over.
     *
     * @param tensors converted tensors by name, sorted
     * @param skipped source names not converted: dropped buffers, tied aliases, tensors left out by
     *     the selection, unknown tensors that were allowed
     */
    public record Converted(SortedMap<String, NDArray> tensors, List<String> skipped) {}

    private final String family;
    private final List<Entry> entries;
    private final List<Pattern> dropped;
    private final Map<String, Entry> byForeign = new LinkedHashMap<>();
    private final Map<String, Entry> byOurs = new LinkedHashMap<>();

    private WeightMap(String family, List<Entry> entries, List<Pattern> dropped) {
        this.family = family;
        this.entries = List.copyOf(entries);
        this.dropped = List.copyOf(dropped);
        for (Entry e : entries) {
            if (byForeign.put(e.foreign(), e) != null) {
                throw new IllegalArgumentException(family + ": foreign name twice: " + e.foreign());
            }
            if (e.kind() == Kind.PARAM) {
                for (String p : e.ours()) {
                    if (byOurs.put(p, e) != null) {
                        throw new IllegalArgumentException(family + ": our path twice: " + p);
                    }
                }
            }
        }
    }

    /** A builder of a map for {@code family} (the name errors start with). */
    public static Builder builder(String family) {
        return new Builder(family);
    }

    /** The family name. */
    public String family() {
        return family;
    }

    /** The entries, in the order they were added. */
    public List<Entry> entries() {
        return entries;
    }

    /** The patterns of foreign buffers that import drops. */
    public List<Pattern> dropped() {
        return dropped;
    }

    /**
     * Foreign tensors in our paths and layouts. Results are the given arrays or new arrays on their
     * managers.
     *
     * @throws ConfigException one line naming an unknown, missing or mis-shaped tensor
     */
    public Converted toOurs(Map<String, NDArray> foreign, Selection sel) {
        List<String> skipped = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, NDArray> t : foreign.entrySet()) {
            String name = t.getKey();
            if (isDropped(name)) {
                skipped.add(name);
            } else if (!byForeign.containsKey(name)) {
                unknown.add(name + " " + t.getValue().getShape());
            }
        }
        if (!unknown.isEmpty()) {
            if (!sel.allowUnknown()) {
                throw new ConfigException(
                        family
                                + ": unknown tensor "
                                + listed(unknown)
                                + " (not a "
                                + family
                                + " name)");
            }
            unknown.forEach(u -> skipped.add(u.substring(0, u.indexOf(' '))));
        }
        SortedMap<String, NDArray> out = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (Entry e : entries) {
            if (e.kind() != Kind.PARAM) {
                continue;
            }
            if (e.ours().stream().noneMatch(sel::wanted)) {
                if (foreign.containsKey(e.foreign())) {
                    skipped.add(e.foreign());
                }
                continue;
            }
            NDArray value = foreign.get(e.foreign());
            Shape expected = expectedForeignShape(e, sel.ourShapes());
            if (value == null) {
                missing.add(e.foreign() + (expected == null ? "" : " " + expected));
                continue;
            }
            if (expected != null && !expected.equals(value.getShape())) {
                throw new ConfigException(
                        family
                                + ": tensor "
                                + e.foreign()
                                + " is "
                                + value.getShape()
                                + ", expected "
                                + expected
                                + " (for "
                                + String.join(", ", e.ours())
                                + ")");
            }
            NDArray ours = e.layout().toOurs(value);
            if (!e.fused()) {
                out.put(e.ours().get(0), ours);
                continue;
            }
            List<NDArray> parts = split(e, ours, sel.ourShapes());
            for (int i = 0; i < parts.size(); i++) {
                if (sel.wanted(e.ours().get(i))) {
                    out.put(e.ours().get(i), parts.get(i));
                }
            }
        }
        for (Map.Entry<String, Shape> s : sel.ourShapes().entrySet()) {
            if (sel.selects(s.getKey())
                    && !out.containsKey(s.getKey())
                    && !byOurs.containsKey(s.getKey())) {
                missing.add("for " + s.getKey() + " " + s.getValue());
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(
                    family
                            + ": missing tensor "
                            + listed(missing)
                            + " (load part of the model with an explicit selection)");
        }
        for (Entry e : entries) {
            if (e.kind() == Kind.TIED && foreign.containsKey(e.foreign())) {
                checkTied(e, foreign, out);
                skipped.add(e.foreign());
            }
        }
        return new Converted(out, skipped);
    }

    private void checkTied(Entry e, Map<String, NDArray> foreign, Map<String, NDArray> out) {
        NDArray target = out.get(e.ours().get(0));
        if (target == null) {
            return;
        }
        NDArray alias = e.layout().toOurs(foreign.get(e.foreign()));
        if (!alias.getShape().equals(target.getShape()) || !alias.contentEquals(target)) {
            throw new ConfigException(
                    family
                            + ": tensor "
                            + e.foreign()
                            + " is tied to "
                            + e.ours().get(0)
                            + " in this model, but the file's values differ (an untied model"
                            + " needs a head of its own)");
        }
    }

    /**
     * Our tensors in the foreign names and layouts; fused entries are concatenated into new arrays.
     *
     * @throws ConfigException one line naming a path no entry takes, or a missing one
     */
    public Converted toForeign(Map<String, NDArray> ours, Selection sel) {
        List<String> unknown = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String p : ours.keySet()) {
            if (!byOurs.containsKey(p)) {
                unknown.add(p);
            } else if (!sel.selects(p)) {
                skipped.add(p);
            }
        }
        if (!unknown.isEmpty()) {
            if (!sel.allowUnknown()) {
                throw new ConfigException(
                        family + ": no " + family + " name for parameter " + listed(unknown));
            }
            skipped.addAll(unknown);
        }
        SortedMap<String, NDArray> out = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (Entry e : entries) {
            if (e.ours().stream().noneMatch(sel::selects)) {
                continue;
            }
            List<String> absent = e.ours().stream().filter(p -> !ours.containsKey(p)).toList();
            if (e.kind() == Kind.TIED) {
                if (sel.writeTied() && absent.isEmpty()) {
                    out.put(e.foreign(), e.layout().toForeign(ours.get(e.ours().get(0))));
                }
                continue;
            }
            if (!absent.isEmpty()) {
                missing.addAll(absent);
                continue;
            }
            NDArray value;
            if (e.fused()) {
                NDList parts = new NDList();
                e.ours().forEach(p -> parts.add(ours.get(p)));
                value = ai.djl.ndarray.NDArrays.concat(parts, e.axis());
            } else {
                value = ours.get(e.ours().get(0));
            }
            out.put(e.foreign(), e.layout().toForeign(value));
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(
                    family
                            + ": missing parameter "
                            + listed(missing)
                            + " (export part of the model with an explicit selection)");
        }
        return new Converted(out, skipped);
    }

    private boolean isDropped(String name) {
        return dropped.stream().anyMatch(p -> p.matcher(name).matches());
    }

    private static Shape expectedForeignShape(Entry e, Map<String, Shape> ourShapes) {
        List<Shape> shapes = new ArrayList<>();
        for (String p : e.ours()) {
            Shape s = ourShapes.get(p);
            if (s == null) {
                return null;
            }
            shapes.add(s);
        }
        Shape joined = shapes.get(0);
        if (e.fused()) {
            long[] dims = joined.getShape().clone();
            dims[e.axis()] = shapes.stream().mapToLong(s -> s.get(e.axis())).sum();
            joined = new Shape(dims);
        }
        return e.layout().foreignShape(joined);
    }

    private List<NDArray> split(Entry e, NDArray joined, Map<String, Shape> ourShapes) {
        int n = e.ours().size();
        long total = joined.getShape().get(e.axis());
        long[] sizes = new long[n];
        boolean known = e.ours().stream().allMatch(ourShapes::containsKey);
        for (int i = 0; i < n; i++) {
            sizes[i] = known ? ourShapes.get(e.ours().get(i)).get(e.axis()) : total / n;
        }
        if (!known && total % n != 0) {
            throw new ConfigException(
                    family
                            + ": tensor "
                            + e.foreign()
                            + " is "
                            + joined.getShape()
                            + ", whose axis "
                            + e.axis()
                            + " does not split into "
                            + n
                            + " equal parts");
        }
        long[] cuts = new long[n - 1];
        long at = 0;
        for (int i = 0; i < n - 1; i++) {
            at += sizes[i];
            cuts[i] = at;
        }
        return joined.split(cuts, e.axis()).stream().toList();
    }

    private static String listed(List<String> names) {
        int shown = Math.min(3, names.size());
        String head = String.join(", ", names.subList(0, shown));
        return names.size() > shown ? head + " and " + (names.size() - shown) + " more" : head;
    }

    /**
     * How many numbered blocks the names hold: one more than the largest number that {@code regex}
     * (whose group 1 is the number) finds in any name, 0 if none.
     */
    public static int countBlocks(Collection<String> names, String regex) {
        Pattern p = Pattern.compile(regex);
        int count = 0;
        for (String n : names) {
            Matcher m = p.matcher(n);
            if (m.find()) {
                count = Math.max(count, Integer.parseInt(m.group(1)) + 1);
            }
        }
        return count;
    }

    /** Builds a {@link WeightMap}. */
    public static final class Builder {
        private final String family;
        private final List<Entry> entries = new ArrayList<>();
        private final List<Pattern> dropped = new ArrayList<>();

        private Builder(String family) {
            this.family = family;
        }

        /** One foreign tensor is one of ours, in {@code layout}. */
        public Builder add(String foreign, String ours, Layout layout) {
            entries.add(new Entry(foreign, List.of(ours), 0, layout, Kind.PARAM));
            return this;
        }

        /** One foreign tensor is one of ours, as is. */
        public Builder add(String foreign, String ours) {
            return add(foreign, ours, Layout.AS_IS);
        }

        /** A foreign Linear weight {@code [out, in]} is our {@code [in, out]}. */
        public Builder transposed(String foreign, String ours) {
            return add(foreign, ours, Layout.TRANSPOSED);
        }

        /**
         * A torch {@code nn.Linear} {@code foreignModule} ({@code weight} transposed, {@code bias})
         * is our Linear {@code ourModule}; without {@code bias} only the weight is mapped.
         */
        public Builder linear(String foreignModule, String ourModule, boolean bias) {
            transposed(foreignModule + ".weight", ourModule + "/weight");
            if (bias) {
                add(foreignModule + ".bias", ourModule + "/bias");
            }
            return this;
        }

        /** A torch {@code nn.LayerNorm} ({@code weight}, {@code bias}) is our norm's scale/bias. */
        public Builder layerNorm(String foreignModule, String ourModule) {
            add(foreignModule + ".weight", ourModule + "/scale");
            return add(foreignModule + ".bias", ourModule + "/bias");
        }

        /**
         * One foreign tensor holds several of ours concatenated along {@code axis} (of our layout),
         * then laid out by {@code layout}: GPT-2's {@code c_attn} is q, k, v along axis 1.
         */
        public Builder fused(String foreign, int axis, Layout layout, String... ours) {
            entries.add(new Entry(foreign, List.of(ours), axis, layout, Kind.PARAM));
            return this;
        }

        /** A foreign alias of our tensor {@code ours}, tied to it. */
        public Builder tied(String foreign, String ours, Layout layout) {
            entries.add(new Entry(foreign, List.of(ours), 0, layout, Kind.TIED));
            return this;
        }

        /** Foreign names fully matching {@code regex} are buffers, not parameters: import drops. */
        public Builder drop(String regex) {
            dropped.add(Pattern.compile(regex));
            return this;
        }

        /** The map. */
        public WeightMap build() {
            return new WeightMap(family, entries, dropped);
        }
    }
}
