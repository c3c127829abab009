package dev.pledge.events;

import java.util.Locale;

/** Wire names of enum constants: lower case with hyphens ({@code ON_HOLD} is {@code on-hold}). */
final class Wire {
    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static <E extends Enum<E>> E parse(Class<E> type, String value) {
        if (value == null) {
            return null;
        }
        String constant = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(constant)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + type.getSimpleName() + " '" + value + "', expected one of "
                + java.util.Arrays.stream(type.getEnumConstants()).map(Wire::name).toList());
    }

    private Wire() {
    }
}
