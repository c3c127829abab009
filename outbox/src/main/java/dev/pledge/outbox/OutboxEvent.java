package dev.pledge.outbox;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An event waiting to be published; {@code eventId} becomes its {@code ce_id}. */
@Entity
@Table(name = "outbox")
public class OutboxEvent {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long seq;
    @Column(name = "event_id")
    public UUID eventId;
    public String topic;
    @Column(name = "event_key")
    public String eventKey;
    @Column(name = "ce_type")
    public String ceType;
    @Column(name = "ce_time")
    public Instant ceTime;
    public String payload;
}
