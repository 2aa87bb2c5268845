package jmistral.generate.constraint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** Rules under construction: rule 0 is the root; a rule may be declared (for recursion) before it is defined. */
final class RuleSet {

    private final List<Expr> rules = new ArrayList<>();
    private final Map<String, Integer> named = new HashMap<>();

    /** A rule shared by name (e.g. "any JSON value"), declared and defined on first use; the body may call itself. */
    int named(String name, IntFunction<Expr> body) {
        Integer r = named.get(name);
        if (r != null) return r;
        int rule = declare();
        named.put(name, rule);
        define(rule, body.apply(rule));
        return rule;
    }

    int declare() {
        rules.add(null);
        return rules.size() - 1;
    }

    void define(int rule, Expr body) {
        rules.set(rule, body);
    }

    Nfa toNfa() {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i) == null) throw new IllegalStateException("rule " + i + " declared but never defined");
        }
        return NfaBuilder.build(rules);
    }
}
