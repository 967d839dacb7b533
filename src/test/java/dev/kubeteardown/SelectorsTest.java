package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Label and field selectors: parsed and matched as Kubernetes does, bad ones rejected with the reason. */
class SelectorsTest {

    @Test
    void labelSelectorMatchesLikeKubernetes() {
        LabelSelector s = LabelSelector.parse("app=web, tier in (a,b), !legacy, env!=prod, release notin (x), owner");
        assertTrue(s.matches(Map.of("app", "web", "tier", "a", "env", "dev", "owner", "me")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "c", "owner", "me")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "a", "owner", "me", "legacy", "")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "a", "env", "prod", "owner", "me")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "b", "release", "x", "owner", "me")));
        assertFalse(s.matches(Map.of("app", "web", "tier", "b")));
        assertTrue(LabelSelector.parse("kube-teardown.dev/run==r1").matches(Map.of("kube-teardown.dev/run", "r1")));
        assertTrue(LabelSelector.parse("gen>3").matches(Map.of("gen", "4")));
        assertTrue(LabelSelector.parse("").isEverything());
        assertTrue(LabelSelector.parse(null).matches(Map.of()));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "app=",
                "=web",
                "app in (a,",
                "app in a",
                "app==web==x",
                "app=web,",
                "UPPER.case/x=y",
                "app=$web",
                "app notin",
                "a b",
                "gen>x",
                "(app)"
            })
    void invalidLabelSelectorsAreRejected(String selector) {
        if (selector.equals("app=")) {
            assertTrue(LabelSelector.parse(selector).matches(Map.of("app", "")), "app= selects the empty value");
            return;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse(selector));
        assertTrue(e.getMessage().startsWith("invalid label selector \"" + selector + "\""), e.getMessage());
    }

    @Test
    void fieldSelectorParsesAndRejects() {
        assertFalse(FieldSelector.parse("metadata.name=a,metadata.namespace!=b").isEverything());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FieldSelector.parse("metadata.name"));
        assertTrue(e.getMessage().contains("has no operator"), e.getMessage());
    }
}
