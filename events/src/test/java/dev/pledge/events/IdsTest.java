package dev.pledge.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void idsMadeInDifferentMillisecondsSortInTheOrderTheyWereMadeAsUuidsAndAsText() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(Ids.next());
            long now = System.currentTimeMillis();
            while (System.currentTimeMillis() == now) {
                Thread.onSpinWait(); // the next id in the next millisecond
            }
        }
        assertThat(ids).isSorted();
        assertThat(ids.stream().map(UUID::toString).toList()).isSorted();
        assertThat(ids).allSatisfy(id -> assertThat(id.version()).isEqualTo(7));
    }

    @Test
    void manyIdsInTheSameMillisecondAreDistinct() {
        HashSet<UUID> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(seen.add(Ids.next())).isTrue();
        }
    }
}
