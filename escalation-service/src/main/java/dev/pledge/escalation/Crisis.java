package dev.pledge.escalation;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A crisis of one category: declared when its contacts in a window crossed the threshold, cleared after a full window below it. */
@Entity
@Table(name = "crisis")
public class Crisis {
    @Id
    @Column(name = "crisis_id")
    public String crisisId;
    public String category;
    @Column(name = "declared_at")
    public Instant declaredAt;
    @Column(name = "window_start")
    public Instant windowStart;
    @Column(name = "window_end")
    public Instant windowEnd;
    public int count;
    public double baseline;
    /** Who was told, comma-separated. */
    public String notified;
    /** Since when the count has stayed below the threshold; null while above it. */
    @Column(name = "below_since")
    public Instant belowSince;
    @Column(name = "cleared_at")
    public Instant clearedAt;
    @Column(name = "policy_version")
    public int policyVersion;
}
