package io.github.stackfold.flamegraph.render;

import java.util.Locale;

/**
 * The colour palettes of flamegraph.pl's {@code --colors}, with the same names and meanings.
 *
 * <ul>
 *   <li>themes: {@link #HOT} (default, red-yellow), {@link #MEM} (green-blue), {@link #IO} (blue-grey);
 *   <li>languages, choosing a flat palette per frame from its name and annotation
 *       ({@code _[k]} kernel, {@code _[j]} JIT, {@code _[i]} inlined, {@code _[w]} waker):
 *       {@link #JAVA}, {@link #JS}, {@link #PERL}; {@link #WAKEUP} (all aqua) and {@link #CHAIN}
 *       (off-CPU blue, wakers aqua; also appends a {@code --} separator frame to every stack, as
 *       flamegraph.pl does);
 *   <li>flat: {@link #RED}, {@link #GREEN}, {@link #BLUE}, {@link #AQUA}, {@link #YELLOW},
 *       {@link #PURPLE}, {@link #ORANGE}.
 * </ul>
 */
public enum Palette {
    HOT, MEM, IO, WAKEUP, CHAIN, JAVA, JS, PERL, RED, GREEN, BLUE, AQUA, YELLOW, PURPLE, ORANGE;

    /** The palette named as on flamegraph.pl's command line ({@code hot}, {@code java}, ...). */
    public static Palette of(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown palette '" + name
                    + "' (expected hot, mem, io, wakeup, chain, java, js, perl, red, green, blue, aqua, yellow, purple, orange)");
        }
    }

    /** The lower-case name used on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The background flamegraph.pl picks for this palette when {@code --bgcolors} is not given. */
    public Background defaultBackground() {
        switch (this) {
            case MEM:
                return Background.GREEN;
            case IO:
            case WAKEUP:
            case CHAIN:
                return Background.BLUE;
            case RED:
            case GREEN:
            case BLUE:
            case AQUA:
            case YELLOW:
            case PURPLE:
            case ORANGE:
                return Background.GREY;
            default:
                return Background.YELLOW;
        }
    }
}
