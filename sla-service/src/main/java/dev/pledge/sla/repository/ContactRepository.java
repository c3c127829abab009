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
    private static final String KNOWN = "SELECT contact_id FROM sla_contact WHERE contact_id = ANY($1::text[])";
    private static final String INSERT_ALL = """
            INSERT INTO sla_contact (contact_id, kafka_partition, channel, priority, tier, category, team, status,
                                     updated_at, policy_version)
            SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                 $8::text[], $9::timestamptz[], $10::int[])""";

    /** Which of these contacts are known here: one statement, nothing loaded into the session. */
    public Uni<Set<String>> known(List<String> contactIds) {
        return SessionSql.query(KNOWN, (Object) contactIds.toArray(new String[0])).map(rows -> {
            Set<String> known = new HashSet<>();
            rows.forEach(row -> known.add((String) row[0]));
            return known;
        });
    }

    /** New contacts with one statement (they are not in the session afterwards). */
    public Uni<Void> insertAll(List<SlaContact> contacts) {
        int n = contacts.size();
        String[] ids = new String[n], channels = new String[n], priorities = new String[n], tiers = new String[n],
                categories = new String[n], teams = new String[n], statuses = new String[n];
        Integer[] partitions = new Integer[n], versions = new Integer[n];
        OffsetDateTime[] updated = new OffsetDateTime[n];
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
            updated[i] = c.updatedAt.atOffset(ZoneOffset.UTC);
            versions[i] = c.policyVersion;
        }
        return SessionSql.update(INSERT_ALL, ids, partitions, channels, priorities, tiers, categories, teams, statuses,
                updated, versions).replaceWithVoid();
    }
}
