package dev.pledge.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** CPU time by process from /proc (Linux): PostgreSQL's processes, this JVM, its load-generating threads. */
final class Cpu {
    private static final double TICK_MS = 10; // USER_HZ is 100 on Linux

    /** Every postgres process: its own time, and its exited children's (backends that ended). */
    static double postgres() throws IOException {
        double ms = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String[] stat = stat(p.resolve("stat"));
                if (stat != null && stat[0].equals("postgres")) {
                    ms += TICK_MS * (Long.parseLong(stat[12]) + Long.parseLong(stat[13]) + Long.parseLong(stat[14])
                            + Long.parseLong(stat[15]));
                }
            }
        }
        return ms;
    }

    /**
     * The CPU of the live postgres processes by what they serve, ms: a backend by its database (its title,
     * "postgres: user database host activity"), every other process (checkpointer, WAL writer, autovacuum
     * launcher...) as "background". Backends that ended are not here (see {@link #postgres()}).
     */
    static Map<String, Double> postgresByDatabase() throws IOException {
        Map<String, Double> ms = new TreeMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String[] stat = stat(p.resolve("stat"));
                if (stat == null || !stat[0].equals("postgres")) {
                    continue;
                }
                String[] title;
                try {
                    title = Files.readString(p.resolve("cmdline"), StandardCharsets.UTF_8).trim().split("\\s+");
                } catch (IOException e) {
                    continue; // it ended meanwhile
                }
                // a backend: "postgres:", user, database, host(port), activity; a worker: "postgres:", its name...
                String what = title.length >= 4 && title[0].equals("postgres:") && title[3].contains("(")
                        ? title[2] : "background";
                ms.merge(what, TICK_MS * (Long.parseLong(stat[12]) + Long.parseLong(stat[13])), Double::sum);
            }
        }
        return ms;
    }

    static double thisProcess() throws IOException {
        String[] stat = stat(Path.of("/proc/self/stat"));
        return stat == null ? 0 : TICK_MS * (Long.parseLong(stat[12]) + Long.parseLong(stat[13]));
    }

    /** The threads of this JVM that send and read the load (the rest are the embedded broker's, GC and JIT). */
    static double generatorThreads() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double ns = 0;
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && (t.getThreadName().startsWith("vert.x-") || t.getThreadName().equals("main")
                    || t.getThreadName().startsWith("HttpClient-") || t.getThreadName().startsWith("bench-")
                    || t.getThreadName().startsWith("stack-"))) {
                ns += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        return ns / 1e6;
    }

    /**
     * The CPU of a JVM's JIT compiler threads (C1 and C2, by their names in /proc/PID/task), ms. With five JVMs on a
     * small machine their compiling is a visible share of the stack's CPU for minutes after a start.
     */
    static double compilers(long pid) {
        double ms = 0;
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path t : threads.toList()) {
                String[] stat = stat(t.resolve("stat"));
                if (stat != null && (stat[0].startsWith("C1 CompilerThre") || stat[0].startsWith("C2 CompilerThre"))) {
                    ms += TICK_MS * (Long.parseLong(stat[12]) + Long.parseLong(stat[13]));
                }
            }
        } catch (IOException | RuntimeException e) {
            return ms; // the process ended meanwhile
        }
        return ms;
    }

    /** The fields of /proc/PID/stat after the command name (index 0 is the name), or null if it ended. */
    private static String[] stat(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            int open = text.indexOf('(');
            int close = text.lastIndexOf(')');
            String[] rest = text.substring(close + 2).split(" ");
            String[] out = new String[rest.length + 1];
            out[0] = text.substring(open + 1, close);
            System.arraycopy(rest, 0, out, 1, rest.length);
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Cpu() {
    }
}
