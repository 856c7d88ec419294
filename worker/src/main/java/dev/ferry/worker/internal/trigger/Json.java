package dev.ferry.worker.internal.trigger;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The package's one JSON mapper (thread-safe once configured). */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
