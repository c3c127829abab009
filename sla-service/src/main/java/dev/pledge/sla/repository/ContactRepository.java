package dev.pledge.sla.repository;

import dev.pledge.outbox.SessionSql;
import dev.pledge.sla.SlaContact;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

@ApplicationScoped
public class ContactRepository implements PanacheRepositoryBase<SlaContact, String> {
    private static final String INSERT_NEW = """
            INSERT INTO sla_contact (contact_id, kafka_partition, channel, priority, tier, category, team, status,
                                     received_at, policy_version, caller)
            SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                 $8::text[], $9::timestamptz[], $10::int[], $11::text[])
            ON CONFLICT (contact_id) DO NOTHING
            RETURNING contact_id""";

    /**
     * Writes the contacts not known here yet, with one statement (they are not in the session
     * afterwards); returns the ids written. Skipping known ones in the insert itself keeps to the
     * primary key: a separate {@code contact_id = ANY($1)} lookup of 500 ids was planned as a
     * sequential scan (16 ms on 90,000 contacts, against 2 ms by the index).
     */
    public Uni<Set<String>> insertNew(List<SlaContact> contacts) {
        if (contacts.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        int n = contacts.size();
        String[] ids = new String[n], channels = new String[n], priorities = new String[n], tiers = new String[n],
                categories = new String[n], teams = new String[n], statuses = new String[n];
        Integer[] partitions = new Integer[n], versions = new Integer[n];
        String[] callers = new String[n];
        OffsetDateTime[] received = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            SlaContact c = contacts.get(i);
            ids[i] = c.contactId;
            partitions[i] = c.partition;
            channels[i] = c.channel;
            priorities[i] = c.priority;
            tiers[i] = c.tier;
            categories[i] = c.category;
            teams[i] = c.team;
            statuses[i] = c.status;
            received[i] = c.receivedAt.atOffset(ZoneOffset.UTC);
            versions[i] = c.policyVersion;
            callers[i] = c.caller;
        }
        return SessionSql.query(INSERT_NEW, ids, partitions, channels, priorities, tiers, categories, teams, statuses,
                received, versions, callers).map(rows -> {
                    Set<String> inserted = new HashSet<>();
                    rows.forEach(row -> inserted.add((String) row[0]));
                    return inserted;
                });
    }
}
