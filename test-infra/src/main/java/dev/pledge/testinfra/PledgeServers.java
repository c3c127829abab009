package dev.pledge.testinfra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test resource: points a service at the JVM's one Kafka broker and PostgreSQL server,
 * with a database of its own, and at the test JWT key. Use it as
 * {@code @WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))}.
 */
public class PledgeServers implements QuarkusTestResourceLifecycleManager {
    private String database = "pledge";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        TestKafka kafka = TestKafka.get();
        TestPostgres pg = TestPostgres.get();
        pg.ensureDatabase(database);
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("quarkus.datasource.reactive.url", pg.reactiveUrl(database));
        config.put("quarkus.datasource.jdbc.url", pg.jdbcUrl(database));
        config.put("quarkus.datasource.username", pg.user());
        config.put("quarkus.datasource.password", pg.password());
        config.put("mp.jwt.verify.publickey", TestTokens.publicKeyBase64());
        config.put("mp.jwt.verify.issuer", TestTokens.ISSUER);
        return config;
    }

    @Override
    public void stop() {
        // The servers live for the whole test JVM and stop with it.
    }
}
