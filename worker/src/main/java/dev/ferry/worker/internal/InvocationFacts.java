package dev.ferry.worker.internal;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.Invocation;
import dev.ferry.worker.internal.trigger.TriggerRecords;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the platform tells a function about an attempt besides its payload, one list for the runtimes that run
 * outside the JVM: an HTTP function gets each fact as a request header ({@code Ferry-*}), a PROCESS function as an
 * environment variable ({@code FERRY_*}), the same name in each one's convention; a JAVA function reads the same from
 * its {@link Invocation}.
 *
 * <table>
 *   <caption>Facts</caption>
 *   <tr><th>HTTP header</th><th>environment variable</th><th>value</th></tr>
 *   <tr><td>Ferry-Invocation-Id</td><td>FERRY_INVOCATION_ID</td><td>the same on every attempt</td></tr>
 *   <tr><td>Ferry-Attempt</td><td>FERRY_ATTEMPT</td><td>1, 2, ... decimal</td></tr>
 *   <tr><td>Ferry-Tenant</td><td>FERRY_TENANT</td><td>the function's tenant</td></tr>
 *   <tr><td>Ferry-Function</td><td>FERRY_FUNCTION</td><td>the function's name</td></tr>
 *   <tr><td>Ferry-Key</td><td>FERRY_KEY</td><td>the ordering key, only when the invocation has one: its text
 *       when printable ASCII, else standard base64 of its bytes</td></tr>
 *   <tr><td>Ferry-Key-Encoding</td><td>FERRY_KEY_ENCODING</td><td>{@code base64} when the key is base64, absent
 *       otherwise ({@link Invocation#keyEncoding()})</td></tr>
 *   <tr><td>Ferry-Deadline-Ms</td><td>FERRY_DEADLINE_MS</td><td>the caller's deadline, epoch milliseconds,
 *       only when set</td></tr>
 *   <tr><td>Ferry-Timeout-At-Ms</td><td>FERRY_TIMEOUT_AT_MS</td><td>when this attempt times out, epoch
 *       milliseconds</td></tr>
 *   <tr><td>Content-Type</td><td>FERRY_CONTENT_TYPE</td><td>the payload's content type</td></tr>
 * </table>
 *
 * <p>Of the invocation's free-form headers, the ones with a meaning of their own reach a process under the names of
 * {@link #HEADER_ENV}: the W3C trace context ({@code traceparent}, {@code tracestate}) as {@code TRACEPARENT} and
 * {@code TRACESTATE} (the names OpenTelemetry gives the environment carrier), a trigger's {@code ferry.source.*} as
 * {@code FERRY_SOURCE_*}. No other header becomes a variable: a producer on the Kafka path sets headers freely, and
 * a header named {@code LD_PRELOAD} or {@code PATH} must not change what a command runs. An HTTP function gets every
 * header HTTP can carry ({@link HttpRuntime}).
 */
final class InvocationFacts {

    /** A fact under its two names; {@code value} is text. */
    record Fact(String header, String env, String value) {
    }

    /** Each fact's header and variable name, in the table's order. */
    private static final String[][] NAMES = {
        {"Ferry-Invocation-Id", "FERRY_INVOCATION_ID"}, {"Ferry-Attempt", "FERRY_ATTEMPT"},
        {"Ferry-Tenant", "FERRY_TENANT"}, {"Ferry-Function", "FERRY_FUNCTION"}, {"Ferry-Key", "FERRY_KEY"},
        {"Ferry-Key-Encoding", "FERRY_KEY_ENCODING"},
        {"Ferry-Deadline-Ms", "FERRY_DEADLINE_MS"}, {"Ferry-Timeout-At-Ms", "FERRY_TIMEOUT_AT_MS"},
        {"Content-Type", "FERRY_CONTENT_TYPE"}
    };

    /** The invocation headers a process gets, lower-case header name to variable name. */
    static final Map<String, String> HEADER_ENV = headerEnv();

    /**
     * Every variable the PROCESS runtime may set. Each is removed from what a process would inherit or take from the
     * function's {@code env} before the attempt's own are set: the platform's word wins, and a variable the attempt
     * has no value for (no key, no trace context) is unset rather than left with a value from elsewhere.
     */
    static final Set<String> ENV_NAMES = envNames();

    private InvocationFacts() {
    }

    /** The facts of one attempt of {@code spec}, in the table's order; absent ones left out. */
    static List<Fact> of(FunctionSpec spec, Invocation in) {
        List<Fact> facts = new ArrayList<>(NAMES.length);
        add(facts, 0, in.invocationId());
        add(facts, 1, String.valueOf(in.attempt()));
        add(facts, 2, spec.getTenant());
        add(facts, 3, spec.getName());
        in.key().ifPresent(key -> add(facts, 4, key));
        in.keyEncoding().ifPresent(encoding -> add(facts, 5, encoding));
        in.deadline().ifPresent(deadline -> add(facts, 6, String.valueOf(deadline.toEpochMilli())));
        add(facts, 7, String.valueOf(in.timeoutAt().toEpochMilli()));
        add(facts, 8, in.contentType());
        return facts;
    }

    private static void add(List<Fact> facts, int name, String value) {
        facts.add(new Fact(NAMES[name][0], NAMES[name][1], value));
    }

    /**
     * The attempt's variables for a process: its facts and the headers of {@link #HEADER_ENV}, variable name to
     * value. A header is looked up by its name in any case, as HTTP names are.
     */
    static Map<String, String> env(FunctionSpec spec, Invocation in) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Fact fact : of(spec, in)) {
            env.put(fact.env(), fact.value());
        }
        for (Map.Entry<String, String> header : in.headers().entrySet()) {
            String name = header.getKey() == null ? null : HEADER_ENV.get(header.getKey().toLowerCase(Locale.ROOT));
            if (name != null && header.getValue() != null) {
                env.put(name, header.getValue());
            }
        }
        return env;
    }

    private static Map<String, String> headerEnv() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("traceparent", "TRACEPARENT");
        map.put("tracestate", "TRACESTATE");
        for (String source : List.of(TriggerRecords.SOURCE_TOPIC, TriggerRecords.SOURCE_PARTITION,
                TriggerRecords.SOURCE_OFFSET, TriggerRecords.SOURCE_TIMESTAMP, TriggerRecords.SOURCE_KEY,
                TriggerRecords.SOURCE_KEY_ENCODING, TriggerRecords.SOURCE_TOMBSTONE)) {
            map.put(source, source.replace('.', '_').toUpperCase(Locale.ROOT));
        }
        return Map.copyOf(map);
    }

    private static Set<String> envNames() {
        Set<String> names = new TreeSet<>(HEADER_ENV.values());
        for (String[] name : NAMES) {
            names.add(name[1]);
        }
        return Set.copyOf(names);
    }
}
