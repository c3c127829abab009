package dev.pledge.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BulkInsertTest {
    record Row(UUID id, String name, Integer count, Long size, Boolean flag, Instant at) {
    }

    static final BulkInsert<Row> ROWS = BulkInsert.<Row>into("thing")
            .uuid("id", Row::id).text("name", Row::name).integer("count", Row::count).bigint("size", Row::size)
            .bool("flag", Row::flag).time("at", Row::at);

    @Test
    void oneArrayPerColumnTypedAsTheColumn() {
        assertThat(ROWS.sql()).isEqualTo("INSERT INTO thing (id, name, count, size, flag, at) SELECT u.id, u.name, u.count,"
                + " u.size, u.flag, u.at FROM unnest($1::uuid[], $2::text[], $3::int[], $4::bigint[], $5::boolean[],"
                + " $6::timestamptz[]) AS u(id, name, count, size, flag, at)");
    }

    @Test
    void inOrderComputedColumnsAndAClauseAfter() {
        BulkInsert<Row> insert = BulkInsert.<Row>into("early").text("name", Row::name)
                .computed("stored_at", "clock_timestamp()").inOrder().then("ON CONFLICT DO NOTHING");
        assertThat(insert.sql(3)).isEqualTo("INSERT INTO early (name, stored_at) SELECT u.name, clock_timestamp()"
                + " FROM unnest($3::text[]) WITH ORDINALITY AS u(name, ord) ORDER BY ord ON CONFLICT DO NOTHING");
    }

    @Test
    void selectedExpressionsAndACondition() {
        BulkInsert<Row> insert = BulkInsert.<Row>into("fact").text("name", Row::name).integer("count", Row::count)
                .selecting("count", "coalesce(u.count, 1)").where("EXISTS (SELECT 1 FROM thing WHERE name = u.name)");
        assertThat(insert.sql()).isEqualTo("INSERT INTO fact (name, count) SELECT u.name, coalesce(u.count, 1)"
                + " FROM unnest($1::text[], $2::int[]) AS u(name, count) WHERE EXISTS (SELECT 1 FROM thing WHERE name = u.name)");
    }

    @Test
    void arraysHoldTheRowsValuesInListOrderInstantsAsUtcTimes() {
        UUID id = UUID.randomUUID();
        Instant at = Instant.parse("2026-12-05T10:15:30.123456Z");
        Object[] arrays = ROWS.arrays(List.of(new Row(id, "a", 1, 2L, true, at), new Row(null, null, null, null, null, null)));
        assertThat(arrays).hasSize(6);
        assertThat((UUID[]) arrays[0]).containsExactly(id, null);
        assertThat((String[]) arrays[1]).containsExactly("a", null);
        assertThat((Integer[]) arrays[2]).containsExactly(1, null);
        assertThat((Long[]) arrays[3]).containsExactly(2L, null);
        assertThat((Boolean[]) arrays[4]).containsExactly(true, null);
        assertThat((OffsetDateTime[]) arrays[5]).containsExactly(at.atOffset(ZoneOffset.UTC), null);
    }

    @Test
    void textsAreAJsonArrayWithQuotesAndControlCharactersEscaped() {
        assertThat(Sql.texts(List.of("a", "b\"c", "d\\e", "f\ng"))).isEqualTo("[\"a\",\"b\\\"c\",\"d\\\\e\",\"f\\u000ag\"]");
        assertThat(Sql.texts(List.of())).isEqualTo("[]");
    }
}
