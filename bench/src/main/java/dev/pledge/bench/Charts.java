package dev.pledge.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Small SVG charts for bench/results: no plotting library, readable in any browser or on GitHub. */
final class Charts {
    private static final int W = 720;
    private static final int H = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    /** p50, p90 and p99 latency (log scale) against the offered rate, with the p99 limit and raw limits marked. */
    static String latencyByRate(String title, List<OpenLoad.Step> steps, double limitMs, Map<String, Double> markers) {
        double highest = steps.stream().mapToDouble(OpenLoad.Step::offeredPerSecond).max().orElse(1);
        for (double m : markers.values()) {
            highest = Math.max(highest, m);
        }
        double maxRate = highest * 1.05;
        double minMs = 0.5;
        double maxMs = Math.max(limitMs * 4, steps.stream().mapToDouble(OpenLoad.Step::p99Ms).max().orElse(limitMs));
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif' font-size='12'>%n<rect width='100%%' height='100%%' fill='white'/>%n", W, H));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='22' font-size='15'>%s</text>%n", LEFT, escape(title)));
        for (double ms : new double[] {1, 10, 100, 1000, 10000}) {
            if (ms > maxMs) {
                break;
            }
            double y = y(ms, minMs, maxMs);
            svg.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/>"
                    + "<text x='%d' y='%.1f' text-anchor='end'>%s ms</text>%n", LEFT, W - RIGHT, y, y, LEFT - 6, y + 4,
                    ms >= 1000 ? (int) (ms / 1000) + "000" : String.valueOf((int) ms)));
        }
        for (int i = 0; i <= 5; i++) {
            double rate = maxRate * i / 5;
            double x = x(rate, maxRate);
            svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>%,.0f</text>%n", x,
                    H - BOTTOM + 18, rate));
        }
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>offered rate (requests/s)</text>%n",
                (LEFT + W - RIGHT) / 2, H - 18));
        double ly = y(limitMs, minMs, maxMs);
        svg.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#c00' stroke-dasharray='6 4'/>"
                + "<text x='%d' y='%.1f' fill='#c00'>p99 limit %.0f ms</text>%n", LEFT, W - RIGHT, ly, ly, W - RIGHT - 110,
                ly - 5, limitMs));
        markers.forEach((name, rate) -> {
            double x = x(rate, maxRate);
            svg.append(String.format(Locale.ROOT, "<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' stroke='#888' stroke-dasharray='2 3'/>"
                    + "<text x='%.1f' y='%d' fill='#555'>%s %,.0f/s</text>%n", x, x, TOP, H - BOTTOM, x + 4, TOP + 12,
                    escape(name), rate));
        });
        line(svg, steps, "p50", "#1f77b4", s -> s.p50Ms(), minMs, maxMs, maxRate, 0);
        line(svg, steps, "p90", "#2ca02c", s -> s.p90Ms(), minMs, maxMs, maxRate, 1);
        line(svg, steps, "p99", "#d62728", s -> s.p99Ms(), minMs, maxMs, maxRate, 2);
        svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#333'/>%n",
                LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
        return svg.append("</svg>\n").toString();
    }

    private static void line(StringBuilder svg, List<OpenLoad.Step> steps, String name, String color,
            java.util.function.ToDoubleFunction<OpenLoad.Step> value, double minMs, double maxMs, double maxRate, int slot) {
        StringBuilder points = new StringBuilder();
        for (OpenLoad.Step s : steps) {
            double v = value.applyAsDouble(s);
            if (v > 0) {
                double x = x(s.offeredPerSecond(), maxRate);
                double y = y(Math.min(v, maxMs), minMs, maxMs);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='2.5' fill='%s'/>%n", x, y, color));
            }
        }
        svg.append(String.format(Locale.ROOT, "<polyline points='%s' fill='none' stroke='%s' stroke-width='2'/>%n",
                points.toString().trim(), color));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='%s'>%s</text>%n", LEFT + 10 + slot * 50, TOP + 16,
                color, name));
    }

    private static double x(double rate, double maxRate) {
        return LEFT + (W - LEFT - RIGHT) * rate / maxRate;
    }

    private static double y(double ms, double minMs, double maxMs) {
        double f = (Math.log10(Math.max(ms, minMs)) - Math.log10(minMs)) / (Math.log10(maxMs) - Math.log10(minMs));
        return H - BOTTOM - (H - TOP - BOTTOM) * f;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }

    private Charts() {
    }
}
