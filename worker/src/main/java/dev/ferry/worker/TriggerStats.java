package dev.ferry.worker;

/**
 * A snapshot of a trigger pool's record counts since it started (DESIGN "Triggers": the counts
 * {@code GET /v1/triggers/{name}} shows, summed over processes by the gateway from {@code ferry.trigger-status}).
 * Every record read ends one way: filtered, answered or failed.
 *
 * @param read source records consumed
 * @param filtered records skipped by the filter: never invoked, never billed
 * @param answered records the function answered (an output on the destination when it gave one)
 * @param failed records sent to {@code onFailure} (undecodable, too old, or failed every attempt)
 */
public record TriggerStats(long read, long filtered, long answered, long failed) {
}
