package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * STUB until the filter helper's version lands: a source record's value decoded per the trigger's format.
 *
 * @param payload what a function gets with batchSize 1
 * @param contentType the payload's content type
 * @param json the value as JSON, for filters and batch arrays
 */
public record SourceValue(byte[] payload, String contentType, JsonNode json) {
}
