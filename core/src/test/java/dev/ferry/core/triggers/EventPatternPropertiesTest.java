package dev.ferry.core.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

class EventPatternPropertiesTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> NAMES = List.of("a", "b", "status", "amount");

    @Property(tries = 300)
    void shouldMatchADocumentWhenThePatternIsBuiltFromItsOwnValues(@ForAll("documents") ObjectNode document) {
        Assume.that(!document.isEmpty());
        String pattern = selfPattern(document).toString();
        Assume.that(pattern.length() <= EventPattern.MAX_BYTES);

        assertThat(EventPattern.parse(pattern).matches(document)).as(pattern).isTrue();
    }

    @Property(tries = 200)
    void shouldNeverMatchTheValueAnythingButExcludesAndMatchEveryOtherScalar(@ForAll("scalars") JsonNode excluded,
                                                                             @ForAll("scalars") JsonNode other) {
        EventPattern pattern = EventPattern.parse(
                NODES.objectNode().set("f", NODES.arrayNode().add(NODES.objectNode().set("anything-but", excluded)))
                        .toString());

        assertThat(pattern.matches(NODES.objectNode().set("f", excluded))).isFalse();
        assertThat(pattern.matches(NODES.objectNode().set("f", other))).isEqualTo(!sameValue(excluded, other));
    }

    @Property(tries = 200)
    void shouldMatchExactlyOneOfExistsTrueAndExistsFalse(@ForAll("documents") ObjectNode document,
                                                         @ForAll("names") String name) {
        boolean present = EventPattern.parse("{\"" + name + "\": [{\"exists\": true}]}").matches(document);
        boolean absent = EventPattern.parse("{\"" + name + "\": [{\"exists\": false}]}").matches(document);

        assertThat(present).isNotEqualTo(absent);
        assertThat(present).isEqualTo(document.has(name));
    }

    @Property(tries = 500)
    void shouldMatchANumericRangeExactlyWhenTheNumberIsInside(@ForAll("decimals") BigDecimal low,
                                                              @ForAll("decimals") BigDecimal high,
                                                              @ForAll("decimals") BigDecimal value) {
        EventPattern range = EventPattern.parse("{\"n\": [{\"numeric\": [\">=\", " + low.toPlainString() + ", \"<\", "
                + high.toPlainString() + "]}]}");

        boolean inside = low.compareTo(value) <= 0 && value.compareTo(high) < 0;
        assertThat(range.matches(NODES.objectNode().set("n", DecimalNode.valueOf(value)))).isEqualTo(inside);
        assertThat(range.matches(NODES.objectNode().put("n", value.toPlainString()))).isFalse();
    }

    @Property(tries = 300)
    void shouldEitherParseOrRefuseWithAMessageAndNeverThrowWhenMatching(@ForAll("patternLike") JsonNode candidate,
                                                                        @ForAll("documents") ObjectNode document) {
        EventPattern pattern;
        try {
            pattern = EventPattern.parse(candidate.toString());
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThatCode(() -> pattern.matches(document)).doesNotThrowAnyException();
    }

    /** A pattern naming every field of {@code document} with one of its own values. */
    private static ObjectNode selfPattern(ObjectNode document) {
        ObjectNode pattern = NODES.objectNode();
        for (Map.Entry<String, JsonNode> field : document.properties()) {
            pattern.set(field.getKey(), fieldPattern(field.getValue()));
        }
        return pattern;
    }

    private static JsonNode fieldPattern(JsonNode value) {
        if (value.isObject() && !value.isEmpty()) {
            return selfPattern((ObjectNode) value);
        }
        if (value.isArray()) {
            JsonNode scalar = firstScalar(value);
            if (scalar != null) {
                return NODES.arrayNode().add(scalar);
            }
            for (JsonNode element : value) {
                if (element.isObject() && !element.isEmpty()) {
                    return selfPattern((ObjectNode) element);
                }
            }
        }
        if (value.isValueNode()) {
            return NODES.arrayNode().add(value);
        }
        return NODES.arrayNode().add(NODES.objectNode().put("exists", true));
    }

    private static JsonNode firstScalar(JsonNode array) {
        for (JsonNode element : array) {
            if (element.isValueNode()) {
                return element;
            }
            if (element.isArray()) {
                JsonNode nested = firstScalar(element);
                if (nested != null) {
                    return nested;
                }
            }
        }
        return null;
    }

    /** The test's own idea of literal equality: same JSON type, numbers by value. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText())) == 0;
        }
        return a.equals(b);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.of(NAMES);
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        // Small integers (scale 0) often equal the bounds, written another way than 2.000: the edges that matter.
        return Arbitraries.oneOf(
                Arbitraries.bigDecimals().between(new BigDecimal("-1000"), new BigDecimal("1000")).ofScale(3),
                Arbitraries.integers().between(-3, 3).map(BigDecimal::valueOf));
    }

    @Provide
    Arbitrary<JsonNode> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'e').ofMaxLength(3).map(NODES::textNode),
                Arbitraries.integers().between(-3, 3).map(i -> (JsonNode) NODES.numberNode(i)),
                Arbitraries.longs().map(l -> (JsonNode) NODES.numberNode(l)),
                Arbitraries.bigDecimals().between(new BigDecimal("-3"), new BigDecimal("3")).ofScale(1)
                        .map(d -> (JsonNode) DecimalNode.valueOf(d)),
                Arbitraries.of(true, false).map(NODES::booleanNode),
                Arbitraries.just(NODES.nullNode()));
    }

    @Provide
    Arbitrary<ObjectNode> documents() {
        return objects(3);
    }

    private Arbitrary<JsonNode> values(int depth) {
        if (depth == 0) {
            return scalars();
        }
        return Arbitraries.frequencyOf(
                Tuple.of(4, scalars()),
                Tuple.of(1, Arbitraries.lazy(() -> values(depth - 1)).list().ofMaxSize(3)
                        .map(EventPatternPropertiesTest::array)),
                Tuple.of(1, Arbitraries.lazy(() -> objects(depth - 1)).map(o -> (JsonNode) o)));
    }

    private Arbitrary<ObjectNode> objects(int depth) {
        return Arbitraries.maps(Arbitraries.of(NAMES), Arbitraries.lazy(() -> values(depth))).ofMaxSize(4)
                .map(fields -> {
                    ObjectNode object = NODES.objectNode();
                    fields.forEach(object::set);
                    return object;
                });
    }

    /** Trees that look like patterns: operator objects, literals, arrays and nesting, right and wrong. */
    @Provide
    Arbitrary<JsonNode> patternLike() {
        return patternNode(3);
    }

    private Arbitrary<JsonNode> patternNode(int depth) {
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(scalars(), numericConditions());
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonNode> child = Arbitraries.lazy(() -> patternNode(depth - 1));
        Arbitrary<String> keys = Arbitraries.of("value", "key", "a", "prefix", "suffix", "numeric", "exists",
                "anything-but", "equals-ignore-case", "gt");
        return Arbitraries.frequencyOf(
                Tuple.of(1, leaf),
                Tuple.of(2, child.list().ofMaxSize(3).map(EventPatternPropertiesTest::array)),
                Tuple.of(3, Arbitraries.maps(keys, child).ofMaxSize(3).map(fields -> {
                    ObjectNode object = NODES.objectNode();
                    fields.forEach(object::set);
                    return (JsonNode) object;
                })));
    }

    private Arbitrary<JsonNode> numericConditions() {
        Arbitrary<JsonNode> operator = Arbitraries.of("=", "!=", "<", "<=", ">", ">=", "=>").map(NODES::textNode);
        Arbitrary<JsonNode> bound = Arbitraries.oneOf(scalars(), decimals().map(d -> (JsonNode) DecimalNode.valueOf(d)));
        return Combinators.combine(operator, bound, operator, bound, Arbitraries.of(2, 4))
                .as((o1, b1, o2, b2, size) -> size == 2 ? array(List.of(o1, b1)) : array(List.of(o1, b1, o2, b2)));
    }

    private static JsonNode array(List<JsonNode> elements) {
        ArrayNode array = NODES.arrayNode();
        elements.forEach(array::add);
        return array;
    }
}
