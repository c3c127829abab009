package dev.pledge.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Entry point of {@code ./pledge}: up, token, tail, demo. */
public final class Pledge {
    static final String USAGE = """
            usage: ./pledge <command>
              up [--fresh] [--demo]   run the whole system on embedded Kafka and PostgreSQL (Ctrl-C stops it)
              token <role>            print a dev token: intake, agent, supervisor, policy-admin, analyst
              tail <topic> [--validate]
                                      print a topic's records from the beginning, until Ctrl-C; --validate
                                      checks each against its event type's schema (docs/schemas)
              demo [--count N] [--keep-policy]
                                      post a realistic stream of contacts to the running system; while the
                                      default policy is in force, first publish one with targets of minutes
            """;

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("pledge.root", ".")).toAbsolutePath().normalize();
        Path data = root.resolve(".pledge");
        List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
        String bootstrap = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:" + LocalStack.KAFKA_PORT);
        try {
            switch (args.length == 0 ? "help" : args[0]) {
                case "up" -> new LocalStack(root, data).up(rest.contains("--fresh"), rest.contains("--demo"));
                case "token" -> {
                    if (rest.size() != 1) {
                        fail("usage: ./pledge token <role>, role one of " + DevTokens.ROLES);
                    }
                    System.out.println(new DevTokens(data).token(rest.get(0)));
                }
                case "tail" -> {
                    boolean validate = rest.contains("--validate");
                    List<String> topic = rest.stream().filter(a -> !a.equals("--validate")).toList();
                    if (topic.size() != 1 || topic.get(0).startsWith("-")) {
                        fail("usage: ./pledge tail <topic> [--validate], e.g. contact-events, sla-events, service-policy");
                    }
                    Tail.run(bootstrap, topic.get(0), validate, System.out);
                }
                case "demo" -> {
                    int count = rest.contains("--count") ? Integer.parseInt(rest.get(rest.indexOf("--count") + 1))
                            : Demo.DEFAULT_CONTACTS;
                    new Demo(URI.create(System.getenv().getOrDefault("PLEDGE_INTAKE_URL", "http://localhost:8081")),
                            new DevTokens(data), System.out)
                            .answeringSurveys(bootstrap, URI.create(System.getenv().getOrDefault("PLEDGE_FEEDBACK_URL",
                                    "http://localhost:8084")))
                            .run(count, !rest.contains("--keep-policy"));
                }
                case "help", "-h", "--help" -> System.out.print(USAGE);
                default -> fail("unknown command '" + args[0] + "'\n" + USAGE);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            fail(e.getMessage());
        }
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }

    private Pledge() {
    }
}
