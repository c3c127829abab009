package dev.pledge.intake.messaging;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.EventJson;
import dev.pledge.events.EventType;
import dev.pledge.events.PolicyPublished;
import dev.pledge.intake.service.PolicyService;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Applies policy versions published by any intake instance. */
@ApplicationScoped
public class PolicyListener {
    static final String SERVICE_POLICY = "service-policy";
    private static final Logger LOG = Logger.getLogger(PolicyListener.class);

    private final PolicyService policies;

    public PolicyListener(PolicyService policies) {
        this.policies = policies;
    }

    @Incoming(SERVICE_POLICY)
    public void onPolicy(ConsumerRecord<String, String> record) {
        Header type = record.headers().lastHeader(CloudEventHeaders.TYPE);
        if (type == null || !EventType.POLICY_PUBLISHED.ceType().equals(new String(type.value(), StandardCharsets.UTF_8))) {
            LOG.warnf("ignoring a record without ce_type %s at offset %d", EventType.POLICY_PUBLISHED.ceType(),
                    record.offset());
            return;
        }
        try {
            policies.apply(EventJson.fromJson(record.value(), PolicyPublished.class));
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot apply the policy at offset %d; the version in force stays", record.offset());
        }
    }
}
