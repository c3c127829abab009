package dev.pledge.policy;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.SurveyKind;
import dev.pledge.policy.Policy.*;
import java.util.ArrayList;
import java.util.List;

/** {@code feedback}: surveys after a status, the fatigue window, and the targets KPIs are held to. */
final class FeedbackSection {
    private final PolicyReader reader;

    FeedbackSection(PolicyReader reader) {
        this.reader = reader;
    }

    Feedback feedback(Node node) {
        if (node == null) {
            return null;
        }
        node.allow("surveys", "fatigueWindow", "targets");
        List<Survey> surveys = new ArrayList<>();
        Node list = node.obj("surveys", false);
        if (list != null) {
            list.items().forEach(s -> {
                s.allow("kind", "after", "channels", "delay", "expiresAfter", "sampling", "question");
                ContactStatus after = s.enumField("after", ContactStatus.class, true);
                Double sampling = s.number("sampling", false, 0.0, 1.0);
                String question = s.text("question", false);
                if (question != null && question.length() > 300) {
                    reader.error(s.path() + ".question", "must be at most 300 characters");
                }
                surveys.add(new Survey(s.enumField("kind", SurveyKind.class, true), after,
                        s.enums("channels", Channel.class), s.durationOrZero("delay"),
                        s.duration("expiresAfter", true), sampling == null ? 1.0 : sampling, question));
            });
        }
        Targets targets = null;
        Node t = node.obj("targets", false);
        if (t != null) {
            t.allow("csat", "nps", "ces", "fcr", "slaCompliance");
            targets = new Targets(t.number("csat", false, 0.0, 100.0), t.number("nps", false, -100.0, 100.0),
                    t.number("ces", false, 1.0, 7.0), t.number("fcr", false, 0.0, 100.0),
                    t.number("slaCompliance", false, 0.0, 100.0));
        }
        java.time.Duration fatigue = node.get("fatigueWindow", false) == null ? PolicyLoader.DEFAULT_FATIGUE_WINDOW
                : node.durationOrZero("fatigueWindow");
        return new Feedback(List.copyOf(surveys), fatigue, targets);
    }
}
