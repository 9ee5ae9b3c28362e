package dev.launchpad.platform.tracking;

import java.util.List;
import java.util.random.RandomGenerator;

/** Readable generated run names ("brave-otter-417"), as MLflow gives runs created without a name. */
final class RunNames {
    private static final List<String> ADJECTIVES = List.of("able", "bold", "brave", "bright", "calm", "clever",
            "crisp", "eager", "fair", "gentle", "glad", "grand", "keen", "kind", "lively", "lucid", "merry",
            "nimble", "noble", "proud", "quick", "quiet", "rare", "sharp", "shy", "silent", "sleek", "smart",
            "steady", "swift", "tidy", "vast", "warm", "wise", "witty", "zesty");
    private static final List<String> NOUNS = List.of("ant", "bear", "bee", "cat", "crane", "deer", "dove",
            "eel", "elk", "finch", "fox", "frog", "goat", "hare", "hawk", "heron", "ibis", "jay", "koala", "lark",
            "lion", "lynx", "mole", "moth", "newt", "otter", "owl", "panda", "robin", "seal", "shark", "snail",
            "swan", "tiger", "toad", "whale", "wolf", "wren", "yak", "zebra");

    private RunNames() {
    }

    static String generate(RandomGenerator random) {
        return ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "-" + NOUNS.get(random.nextInt(NOUNS.size()))
                + "-" + random.nextInt(1000);
    }
}
