package dev.pledge.intake;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A policy version as accepted: the text the admin sent and the validated document as JSON. */
@Entity
@Table(name = "policy_version")
public class PolicyVersion {
    @Id
    public int version;
    public String source;
    public String document;
    public String sha256;
    @Column(name = "published_by")
    public String publishedBy;
    @Column(name = "published_at")
    public Instant publishedAt;
}
