package dev.pledge.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** A node of the document with its path; typed getters report problems instead of throwing. */
record Node(JsonNode node, String path, PolicyReader r) {
    PolicyReader reader() {
        return r;
    }

    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    void allow(String... keys) {
        if (!node.isObject()) {
            r.error(path, "must be an object");
            return;
        }
        Set<String> allowed = Set.of(keys);
        r.allowed.put(path, allowed);
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                r.unknownField(at(k), "unknown field, expected one of " + List.of(keys));
            }
        });
    }

    JsonNode get(String key, boolean required) {
        if (required) {
            r.required.add(at(key));
        }
        JsonNode v = node.isObject() ? node.get(key) : null;
        if (v == null || v.isNull()) {
            if (required) {
                r.error(at(key), "is required");
            }
            return null;
        }
        return v;
    }

    Node obj(String key, boolean required) {
        JsonNode v = get(key, required);
        return v == null ? null : new Node(v, at(key), r);
    }

    Map<String, Node> fields() {
        Map<String, Node> out = new LinkedHashMap<>();
        if (!node.isObject()) {
            r.error(path, "must be an object");
            return out;
        }
        node.fields().forEachRemaining(e -> out.put(e.getKey(), new Node(e.getValue(), at(e.getKey()), r)));
        return out;
    }

    List<Node> items() {
        List<Node> out = new ArrayList<>();
        if (!node.isArray()) {
            r.error(path, "must be a list");
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            out.add(new Node(node.get(i), path + "[" + i + "]", r));
        }
        return out;
    }

    String text(String key, boolean required) {
        JsonNode v = get(key, required);
        if (v == null) {
            return null;
        }
        if (!v.isValueNode() || v.asText().isBlank()) {
            r.error(at(key), "must be a non-empty string");
            return null;
        }
        return v.asText().trim();
    }

    String ruleName(Set<String> seen) {
        String name = text("name", true);
        if (name != null && name.length() > Policy.RULE_NAME_MAX) {
            r.error(at("name"), "must be at most " + Policy.RULE_NAME_MAX + " characters");
        } else if (name != null && !seen.add(name)) {
            r.error(at("name"), "repeats the name '" + name + "'");
        }
        return name;
    }

    List<String> strings(String key) {
        Node list = obj(key, false);
        List<String> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        list.items().forEach(item -> {
            if (!item.node.isValueNode() || item.node.asText().isBlank()) {
                r.error(item.path, "must be a non-empty string");
            } else {
                out.add(item.node.asText().trim());
            }
        });
        return out;
    }

    /** Names list: required means at least one. */
    List<String> names(String key, boolean required) {
        if (required) {
            r.required.add(at(key));
        }
        List<String> out = strings(key);
        if (required && out.isEmpty() && get(key, false) == null) {
            r.error(at(key), "is required");
        } else if (required && out.isEmpty()) {
            r.error(at(key), "must not be empty");
        }
        if (new HashSet<>(out).size() != out.size()) {
            r.error(at(key), "has repeated names");
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).length() > Policy.NAME_MAX) {
                r.error(at(key) + "[" + i + "]", "must be at most " + Policy.NAME_MAX + " characters");
            }
        }
        return List.copyOf(out);
    }

    java.time.Duration duration(String key, boolean required) {
        JsonNode v = get(key, required);
        if (v == null) {
            return null;
        }
        try {
            java.time.Duration d = java.time.Duration.parse(v.asText());
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        r.error(at(key), "must be a positive ISO-8601 duration such as PT2M, PT24H or P30D, was '" + v.asText() + "'");
        return null;
    }

    java.time.Duration durationOrZero(String key) {
        JsonNode v = get(key, false);
        if (v != null && "PT0S".equals(v.asText())) {
            return java.time.Duration.ZERO;
        }
        java.time.Duration d = duration(key, false);
        return d == null ? java.time.Duration.ZERO : d;
    }

    ZoneId zone(String key, ZoneId fallback) {
        String text = text(key, false);
        if (text == null) {
            return fallback;
        }
        try {
            return ZoneId.of(text);
        } catch (RuntimeException e) {
            r.error(at(key), "must be a time zone such as Europe/London or UTC, was '" + text + "'");
            return fallback;
        }
    }

    <E extends Enum<E>> E enumValue(Class<E> type) {
        String text = node.asText();
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(text.toUpperCase(Locale.ROOT).replace('-', '_'))) {
                return e;
            }
        }
        r.error(path, "unknown value '" + text + "', expected one of " + java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
        return null;
    }

    <E extends Enum<E>> E enumField(String key, Class<E> type, boolean required) {
        Node v = obj(key, required);
        return v == null ? null : v.enumValue(type);
    }

    <E extends Enum<E>> Set<E> enums(String key, Class<E> type) {
        Node list = obj(key, false);
        Set<E> out = new HashSet<>();
        if (list != null) {
            list.items().forEach(item -> {
                E e = item.enumValue(type);
                if (e != null) {
                    out.add(e);
                }
            });
        }
        return Set.copyOf(out);
    }

    Integer integer(String key, int min, int max) {
        JsonNode v = get(key, false);
        if (v == null) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            r.error(at(key), "must be a whole number from " + min + " to " + max);
            return null;
        }
        return v.asInt();
    }

    Double number(String key, boolean required, double min, double max) {
        JsonNode v = get(key, required);
        if (v == null) {
            return null;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            r.error(at(key), "must be a number from " + min + " to " + max);
            return null;
        }
        return v.asDouble();
    }

    boolean bool(String key) {
        JsonNode v = get(key, false);
        if (v != null && !v.isBoolean()) {
            r.error(at(key), "must be true or false");
            return false;
        }
        return v != null && v.asBoolean();
    }
}
