package io.axlearn.core.module;

import java.nio.charset.StandardCharsets;

/** Derives independent 64-bit seeds from a root seed and a path, independent of call order. */
public final class Seeds {
    private Seeds() {}

    /** A seed for {@code path} under {@code seed}: FNV-1a over the path, mixed with the seed. */
    public static long derive(long seed, String path) {
        long h = 0xcbf29ce484222325L;
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        return mix(h ^ mix(seed));
    }

    /** SplitMix64's finaliser: a bijective scramble of 64 bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
