package dev.pledge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    @Test
    void everyClientGetsTheChannelsSecuritySettingsTheBrokerAndItsOwnIdButNoGroup() {
        KafkaClients clients = new KafkaClients(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "group.id", "sla-service", "bootstrap.servers", "from-channels:9092"), "broker:9093", "sla-service");

        Properties p = clients.properties("outbox");

        assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("bootstrap.servers", "broker:9093").containsEntry("client.id", "sla-service-outbox")
                .doesNotContainKey("group.id");
    }
}
