package io.meshgate.client;

import java.util.random.RandomGenerator;

/** Returns the given fractions from {@link #nextDouble()}, over and over: tests pick where in a jitter range a draw lands. */
final class ScriptedRandom implements RandomGenerator {
    private final double[] fractions;
    private int next;

    ScriptedRandom(double... fractions) {
        this.fractions = fractions;
    }

    @Override
    public double nextDouble() {
        return fractions[next++ % fractions.length];
    }

    @Override
    public long nextLong() {
        return (long) (nextDouble() * Long.MAX_VALUE);
    }
}
