package dev.pledge.outcomes;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.SurveyKind;
import dev.pledge.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Which survey a contact is sent when it reaches a status. Pure: feedback-service and the replay decide the same. */
public final class SurveyChoice {

    private SurveyChoice() {
    }

    /** The first survey in policy order that follows this status on this channel and is drawn for this contact. */
    public static Optional<Policy.Survey> choose(List<Policy.Survey> surveys, String contactId, ContactStatus status,
            Channel channel) {
        return surveys.stream()
                .filter(s -> s.after() == status && (s.channels().isEmpty() || s.channels().contains(channel)))
                .filter(s -> drawn(contactId, s.kind(), s.sampling()))
                .findFirst();
    }

    /** Sampling by a hash of the contact and kind, not a random draw: a redelivery or a replay decides the same. */
    public static boolean drawn(String contactId, SurveyKind kind, double sampling) {
        if (sampling >= 1.0) {
            return true;
        }
        UUID h = UUID.nameUUIDFromBytes((contactId + "|" + kind.wire()).getBytes(StandardCharsets.UTF_8));
        double u = (h.getMostSignificantBits() >>> 11) * 0x1.0p-53;
        return u < sampling;
    }
}
