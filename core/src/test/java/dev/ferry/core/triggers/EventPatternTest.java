package dev.ferry.core.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventPatternTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ORDER = """
            {"topic": "orders", "partition": 3, "offset": 42, "timestamp": 1700000000000, "key": "eu-1001",
             "value": {"status": "paid", "amount": 12.50, "currency": "EUR", "tags": ["gift", "express"],
                       "lines": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}],
                       "customer": {"tier": "gold", "email": "Ann@Example.com", "vat": null}},
             "headers": {"source": "checkout"}}""";

    private static JsonNode doc(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean matches(String pattern, String document) {
        return EventPattern.parse(pattern).matches(doc(document));
    }

    private static boolean matchesOrder(String pattern) {
        return matches(pattern, ORDER);
    }

    @Test
    void shouldMatchWhenEveryNamedFieldMatchesAndNotWhenOneDoesNot() {
        assertThat(matchesOrder("{\"value\": {\"status\": [\"paid\"], \"currency\": [\"EUR\"]}}")).isTrue();
        assertThat(matchesOrder("{\"value\": {\"status\": [\"paid\"], \"currency\": [\"USD\"]}}")).isFalse();
        assertThat(matchesOrder("{\"topic\": [\"orders\"], \"partition\": [3], \"headers\": {\"source\": [\"checkout\"]}}"))
                .isTrue();
    }

    @Test
    void shouldMatchWhenAnyAlternativeMatches() {
        assertThat(matchesOrder("{\"value\": {\"status\": [\"refunded\", \"paid\"]}}")).isTrue();
        assertThat(matchesOrder("{\"value\": {\"status\": [\"refunded\", \"cancelled\"]}}")).isFalse();
    }

    @Test
    void shouldCompareNumbersByExactValueAndNeverAgainstStrings() {
        assertThat(matchesOrder("{\"value\": {\"amount\": [12.5]}}")).isTrue();
        assertThat(matchesOrder("{\"partition\": [3.0]}")).isTrue();
        assertThat(matchesOrder("{\"partition\": [\"3\"]}")).isFalse();
        assertThat(matches("{\"n\": [0.1]}", "{\"n\": 0.1}")).isTrue();
        assertThat(matches("{\"n\": [9007199254740993]}", "{\"n\": 9007199254740992}")).isFalse();
    }

    @Test
    void shouldMatchBooleansAndNullOnlyByTheirOwnType() {
        assertThat(matches("{\"ok\": [true]}", "{\"ok\": true}")).isTrue();
        assertThat(matches("{\"ok\": [true]}", "{\"ok\": \"true\"}")).isFalse();
        assertThat(matchesOrder("{\"value\": {\"customer\": {\"vat\": [null]}}}")).isTrue();
        assertThat(matches("{\"vat\": [null]}", "{}")).isFalse();
    }

    @Test
    void shouldMatchPrefixSuffixAndEqualsIgnoreCaseOnStringsOnly() {
        assertThat(matchesOrder("{\"key\": [{\"prefix\": \"eu-\"}]}")).isTrue();
        assertThat(matchesOrder("{\"key\": [{\"prefix\": \"us-\"}]}")).isFalse();
        assertThat(matchesOrder("{\"value\": {\"customer\": {\"email\": [{\"suffix\": \"@Example.com\"}]}}}")).isTrue();
        assertThat(matchesOrder("{\"value\": {\"customer\": {\"email\": [{\"equals-ignore-case\": \"ann@example.COM\"}]}}}"))
                .isTrue();
        assertThat(matchesOrder("{\"partition\": [{\"prefix\": \"3\"}]}")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[\">\", 12]                | true",
        "[\">\", 12.5]              | false",
        "[\">=\", 12.5]             | true",
        "[\"<\", 12.5]              | false",
        "[\"<=\", 12.50]            | true",
        "[\"=\", 12.5]              | true",
        "[\"!=\", 12.5]             | false",
        "[\">\", 0, \"<=\", 20]     | true",
        "[\">\", 0, \"<\", 12.5]    | false",
        "[\">\", 12.49999999999999999999, \"<\", 12.50000000000000000001] | true"})
    void shouldMatchNumericRangesExactly(String conditions, boolean expected) {
        assertThat(matchesOrder("{\"value\": {\"amount\": [{\"numeric\": " + conditions + "}]}}")).isEqualTo(expected);
    }

    @Test
    void shouldNotMatchNumericAgainstAStringOfDigits() {
        assertThat(matches("{\"n\": [{\"numeric\": [\">\", 0]}]}", "{\"n\": \"5\"}")).isFalse();
    }

    @Test
    void shouldTellPresentFromMissingFieldsWithExists() {
        assertThat(matchesOrder("{\"value\": {\"customer\": {\"vat\": [{\"exists\": true}]}}}")).isTrue();
        assertThat(matchesOrder("{\"value\": {\"customer\": {\"vat\": [{\"exists\": false}]}}}")).isFalse();
        assertThat(matchesOrder("{\"value\": {\"coupon\": [{\"exists\": false}]}}")).isTrue();
        assertThat(matchesOrder("{\"value\": {\"coupon\": [{\"exists\": true}]}}")).isFalse();
        assertThat(matchesOrder("{\"value\": {\"customer\": [{\"exists\": true}]}}")).isTrue();
    }

    @Test
    void shouldMatchAMissingFieldOnlyWithExistsFalse() {
        assertThat(matchesOrder("{\"value\": {\"coupon\": [{\"anything-but\": \"X\"}]}}")).isFalse();
        assertThat(matchesOrder("{\"value\": {\"coupon\": [null]}}")).isFalse();
        assertThat(matchesOrder("{\"value\": {\"coupon\": {\"code\": [{\"exists\": false}]}}}")).isTrue();
        assertThat(matchesOrder("{\"value\": {\"status\": {\"code\": [{\"exists\": false}]}}}")).isTrue();
    }

    @Test
    void shouldMatchAnythingButValuesOtherThanTheListed() {
        assertThat(matchesOrder("{\"value\": {\"status\": [{\"anything-but\": \"cancelled\"}]}}")).isTrue();
        assertThat(matchesOrder("{\"value\": {\"status\": [{\"anything-but\": [\"cancelled\", \"paid\"]}]}}")).isFalse();
        assertThat(matchesOrder("{\"value\": {\"amount\": [{\"anything-but\": [12.5]}]}}")).isFalse();
        assertThat(matchesOrder("{\"value\": {\"customer\": [{\"anything-but\": \"x\"}]}}")).isFalse();
    }

    @Test
    void shouldMatchAnArrayFieldWhenAnyElementMatches() {
        assertThat(matchesOrder("{\"value\": {\"tags\": [\"express\"]}}")).isTrue();
        assertThat(matchesOrder("{\"value\": {\"tags\": [\"fragile\"]}}")).isFalse();
        assertThat(matchesOrder("{\"value\": {\"lines\": {\"sku\": [\"B-7\"], \"qty\": [1]}}}")).isTrue();
        // both conditions must hold on one element, not across elements
        assertThat(matchesOrder("{\"value\": {\"lines\": {\"sku\": [\"B-7\"], \"qty\": [2]}}}")).isFalse();
        assertThat(matches("{\"t\": [{\"exists\": true}]}", "{\"t\": []}")).isTrue();
        assertThat(matches("{\"t\": [\"a\"]}", "{\"t\": []}")).isFalse();
    }

    @Test
    void shouldMatchANullRecordValueOnlyAsNull() {
        JsonNode tombstone = doc("{\"topic\": \"orders\", \"key\": \"k\", \"value\": null, \"headers\": {}}");
        assertThat(EventPattern.parse("{\"value\": [null]}").matches(tombstone)).isTrue();
        assertThat(EventPattern.parse("{\"value\": {\"status\": [\"paid\"]}}").matches(tombstone)).isFalse();
        assertThat(EventPattern.parse("{\"value\": [{\"exists\": true}]}").matches(NullNode.getInstance())).isFalse();
    }

    @Test
    void shouldNeverThrowWhenMatchingOddDocuments() {
        EventPattern pattern = EventPattern.parse("{\"value\": {\"a\": [{\"numeric\": [\">\", 1]}, {\"prefix\": \"x\"}]}}");
        assertThat(pattern.matches(null)).isFalse();
        assertThat(pattern.matches(doc("[1, 2]"))).isFalse();
        assertThat(pattern.matches(doc("\"text\""))).isFalse();
        assertThat(pattern.matches(doc("{\"value\": {\"a\": [[[5]]]}}"))).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"value\": {\"amount\": [{\"gt\": 5}]}}                 | value.amount[0]: unknown operator \"gt\"",
        "{\"value\": {\"status\": \"paid\"}}                      | value.status: expected an array of alternatives",
        "{\"value\": {\"status\": []}}                            | value.status: an empty array of alternatives",
        "{\"value\": {}}                                          | value: an empty object",
        "{}                                                       | filter: an empty object",
        "[\"paid\"]                                               | filter: expected an object of fields",
        "{\"value\": {\"n\": [{\"numeric\": [\"~\", 5]}]}}        | value.n[0].numeric[0]: unknown numeric operator \"~\"",
        "{\"value\": {\"n\": [{\"numeric\": [\">\", \"5\"]}]}}    | value.n[0].numeric[1]: expected a number, got the string \"5\"",
        "{\"value\": {\"n\": [{\"numeric\": [\">\", 1, \"<\"]}]}} | value.n[0].numeric: expected [operator, number]",
        "{\"key\": [{\"prefix\": 5}]}                             | key[0]: \"prefix\" takes a string, not number 5",
        "{\"key\": [{\"exists\": \"yes\"}]}                       | key[0]: \"exists\" takes true or false",
        "{\"key\": [{\"prefix\": \"a\", \"suffix\": \"b\"}]}      | key[0]: an operator object has exactly one key",
        "{\"key\": [[\"a\"]]}                                     | key[0]: an array inside an array",
        "{\"key\": [{\"anything-but\": []}]}                      | key[0].anything-but: an empty list",
        "{\"key\": [{\"anything-but\": [{\"prefix\": \"a\"}]}]}   | key[0].anything-but[0]: not a string, number, boolean or null",
        "{\"key\": [\"a\"], \"key\": [\"b\"]}                     | filter: not valid JSON: Duplicate field 'key'",
        "{\"key\": [\"a\"]} x                                     | filter: not valid JSON",
        "{\"key\": [\"a\"                                         | filter: not valid JSON"})
    void shouldRefuseWhatIsNotAPatternNamingWhere(String pattern, String message) {
        assertThatThrownBy(() -> EventPattern.parse(pattern))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    /** A tester saw Jackson's class and feature names in the message of a filter that is not valid JSON. */
    @Test
    void shouldSayWhereAFilterIsNotValidJsonWithoutTheParsersNames() {
        assertThatThrownBy(() -> EventPattern.parse("{\"key\": [\"a\""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("filter: not valid JSON: Unexpected end-of-input")
                .hasMessageContaining("line 1, column ").hasMessageNotContaining("Source")
                .hasMessageNotContaining("`");
    }

    @Test
    void shouldRefusePatternsLargerThanTheLimit() {
        StringBuilder pattern = new StringBuilder("{\"key\": [");
        while (pattern.length() < EventPattern.MAX_BYTES) {
            pattern.append("\"customer-0000\", ");
        }
        pattern.append("\"x\"]}");
        assertThatThrownBy(() -> EventPattern.parse(pattern.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than the 4096 a filter may have");
    }

    @Test
    void shouldRefusePatternsNestedDeeperThanTheLimitButAcceptTheLimit() {
        assertThat(EventPattern.parse(nested(EventPattern.MAX_DEPTH)).matches(doc(nestedDocument(EventPattern.MAX_DEPTH))))
                .isTrue();
        assertThatThrownBy(() -> EventPattern.parse(nested(EventPattern.MAX_DEPTH + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested deeper than 10 objects");
    }

    /** A pattern of {@code depth} objects: {"a": {"a": ... {"a": ["x"]}}}. */
    private static String nested(int depth) {
        return "{\"a\": ".repeat(depth - 1) + "{\"a\": [\"x\"]}" + "}".repeat(depth - 1);
    }

    private static String nestedDocument(int depth) {
        return "{\"a\": ".repeat(depth) + "\"x\"" + "}".repeat(depth);
    }

    @Test
    void shouldRefuseHostileInputWithAnIllegalArgumentOnly() {
        String deepArrays = "{\"a\": " + "[".repeat(1500) + "]".repeat(1500) + "}";
        for (String hostile : new String[] {"{\"n\": [1e99999999999]}", "{\"n\": [{\"numeric\": [\">\", 1e-2147483649]}]}",
                deepArrays, "\u0000", "{\"a\": [\"\\ud800\"]}"}) {
            try {
                EventPattern.parse(hostile);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
        assertThatThrownBy(() -> EventPattern.parse("  ")).hasMessageStartingWith("filter: empty");
        EventPattern huge = EventPattern.parse("{\"n\": [{\"numeric\": [\">\", 1e999999999]}]}");
        assertThat(huge.matches(doc("{\"n\": 1e-999999999}"))).isFalse();
    }

    @Test
    void shouldKeepThePatternTextForLogs() {
        String text = "{\"key\": [\"a\"]}";
        assertThat(EventPattern.parse(text)).hasToString(text);
    }
}
