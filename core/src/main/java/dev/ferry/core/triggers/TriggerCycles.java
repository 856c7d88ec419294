package dev.ferry.core.triggers;

import dev.ferry.schemas.TriggerSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a trigger's outputs lead back to its own source topics through other triggers, so that one record would
 * run functions in a circle without end, billed every pass (a tester's {@code cyca}: cyc1 to cyc2, and {@code
 * cycb}: cyc2 to cyc1). {@link TriggerSpecs#validate} refuses the direct case (a destination or onFailure that is
 * also a source); this class follows the rest, through the triggers already stored.
 *
 * <p>The graph: every stored trigger, of every tenant (a topic two tenants may use can close a loop between
 * them), paused ones included (resuming one would start the loop), and one whose function does not exist yet
 * (deploying it would), makes an edge from each of its source topics to its destination and to its
 * {@code onFailure}. onFailure edges count: a failure copy carries the source record's key and bytes, and a record
 * that fails the same way on every pass would circle as surely as an output. A trigger without onFailure writes
 * failures to {@code ferry.dlq}, which is never a source, so it adds no edge. A {@code filter} does not break an
 * edge: whether it would stop every record of the loop cannot be known from the patterns. The stored version of
 * the trigger being written is left out, since the new spec replaces it.
 *
 * <p>The answer never names another tenant's trigger or a topic only it named: a cycle that passes through any
 * trigger of another tenant is "a cycle through other triggers".
 */
public final class TriggerCycles {

    private TriggerCycles() {
    }

    /**
     * One sentence for each output of {@code wanted} (its destination, then its onFailure) from which the stored
     * triggers lead back to one of its source topics; empty when none does. An output that is itself a source is
     * left to {@link TriggerSpecs#validate}.
     *
     * @param stored every stored trigger of every tenant; the one with {@code wanted}'s tenant and name is ignored
     */
    public static List<String> closedBy(TriggerSpec wanted, Collection<TriggerSpec> stored) {
        TriggerRef self = TriggerSpecs.ref(wanted);
        Map<String, List<Hop>> from = new HashMap<>();
        for (TriggerSpec trigger : stored) {
            if (TriggerSpecs.ref(trigger).equals(self)) {
                continue;
            }
            for (String source : trigger.getTopics()) {
                for (String output : outputs(trigger)) {
                    from.computeIfAbsent(source, s -> new ArrayList<>()).add(new Hop(source, trigger, output));
                }
            }
        }
        List<String> errors = new ArrayList<>();
        if (wanted.getDestination() != null && !wanted.getTopics().contains(wanted.getDestination())) {
            path(wanted, wanted.getDestination(), from).ifPresent(hops -> errors.add(sentence(wanted,
                    "destination", wanted.getDestination(), hops, "every output would run the function again")));
        }
        String onFailure = wanted.getOnFailure();
        if (onFailure != null && !wanted.getTopics().contains(onFailure)
                && !Objects.equals(onFailure, wanted.getDestination())) {
            path(wanted, onFailure, from).ifPresent(hops -> errors.add(sentence(wanted, "onFailure", onFailure,
                    hops, "a record that fails every time would come back to the function")));
        }
        return errors;
    }

    /** One step of a path: {@code trigger} reads {@code from} and writes {@code to}. */
    private record Hop(String from, TriggerSpec trigger, String to) {
    }

    private static List<String> outputs(TriggerSpec trigger) {
        List<String> outputs = new ArrayList<>(2);
        if (trigger.getDestination() != null) {
            outputs.add(trigger.getDestination());
        }
        if (trigger.getOnFailure() != null && !trigger.getOnFailure().equals(trigger.getDestination())) {
            outputs.add(trigger.getOnFailure());
        }
        return outputs;
    }

    /** The shortest path of hops from {@code start} to a source topic of {@code wanted} (breadth first). */
    private static Optional<List<Hop>> path(TriggerSpec wanted, String start, Map<String, List<Hop>> from) {
        Map<String, Hop> reachedBy = new LinkedHashMap<>();
        reachedBy.put(start, null);
        Deque<String> frontier = new ArrayDeque<>(List.of(start));
        while (!frontier.isEmpty()) {
            String topic = frontier.removeFirst();
            for (Hop hop : from.getOrDefault(topic, List.of())) {
                if (reachedBy.containsKey(hop.to())) {
                    continue;
                }
                reachedBy.put(hop.to(), hop);
                if (wanted.getTopics().contains(hop.to())) {
                    List<Hop> hops = new ArrayList<>();
                    for (Hop h = hop; h != null; h = reachedBy.get(h.from())) {
                        hops.add(0, h);
                    }
                    return Optional.of(hops);
                }
                frontier.addLast(hop.to());
            }
        }
        return Optional.empty();
    }

    private static String sentence(TriggerSpec wanted, String role, String output, List<Hop> hops,
            String consequence) {
        String source = hops.get(hops.size() - 1).to();
        boolean allOwn = hops.stream().allMatch(h -> h.trigger().getTenant().equals(wanted.getTenant()));
        StringBuilder s = new StringBuilder(role).append(" '").append(output).append("' ");
        if (allOwn) {
            s.append("leads back to source topic '").append(source).append("' through trigger")
                    .append(hops.size() > 1 ? "s " : " ");
            for (int i = 0; i < hops.size(); i++) {
                Hop hop = hops.get(i);
                s.append(i > 0 ? ", " : "").append('\'').append(hop.trigger().getName()).append("' (")
                        .append(hop.from()).append(" -> ").append(hop.to())
                        .append(hop.trigger().getEnabled() ? ")" : ", paused: resuming it would start the loop)");
            }
        } else {
            s.append("would close a cycle through other triggers back to source topic '").append(source).append('\'');
        }
        return s.append(": ").append(consequence).append(", without end and billed every pass").toString();
    }
}
