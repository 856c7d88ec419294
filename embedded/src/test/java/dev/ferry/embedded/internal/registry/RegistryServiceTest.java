package dev.ferry.embedded.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The registry's rules without a broker: writes go to a list, which is also what a restart replays. */
class RegistryServiceTest {

    private static final String V1 = "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    private static final String V2 = "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"b\",\"type\":\"string\",\"default\":\"\"}]}";

    private final List<Map.Entry<String, String>> written = new ArrayList<>();
    // SimpleEntry, not Map.entry: tombstones have null values.
    private final RegistryService service = RegistryService.create((k, v) -> written.add(new SimpleEntry<>(k, v)));

    @Test
    void shouldAnswerTheSameWhenANewServiceReplaysTheWrites() {
        int id1 = service.register("s", V1, null);
        int id2 = service.register("s", V2, "AVRO");
        service.register("t", V1, null);
        service.setSubjectLevel("t", "FULL");
        service.deleteVersion("s", "1", false);

        RegistryService restarted = RegistryService.create((k, v) -> {
            throw new AssertionError("replay must not write");
        });
        written.forEach(e -> restarted.replay(e.getKey(), e.getValue()));

        assertThat(restarted.subjects(false)).containsExactly("s", "t");
        assertThat(restarted.versions("s", false)).containsExactly(2);
        assertThat(restarted.versions("s", true)).containsExactly(1, 2);
        assertThat(restarted.version("t", "latest", false).id()).isEqualTo(id1);
        assertThat(restarted.schema(id2)).isEqualTo(service.schema(id2));
        assertThat(restarted.subjectLevel("t", false)).isEqualTo(CompatibilityLevel.FULL);
    }

    @Test
    void shouldKeepTypesAndReferencesWhenANewServiceReplaysTheWrites() {
        int c = service.register("c", "{\"type\":\"record\",\"name\":\"C\",\"namespace\":\"n\",\"fields\":[]}",
                null);
        int a = service.register("a", "{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"n\",\"fields\":["
                + "{\"name\":\"c\",\"type\":\"n.C\"}]}", null, List.of(new SchemaReference("n.C", "c", -1)));
        int json = service.register("j", "{\"type\": \"object\"}", "json");

        RegistryService restarted = RegistryService.create((k, v) -> {
            throw new AssertionError("replay must not write");
        });
        written.forEach(e -> restarted.replay(e.getKey(), e.getValue()));

        assertThat(restarted.schema(a).references()).containsExactly(new SchemaReference("n.C", "c", 1));
        assertThat(restarted.referencedBy("c", "1")).containsExactly(a);
        assertThat(restarted.referencedBy(c)).containsExactly(a);
        assertThat(restarted.schema(json)).isEqualTo(new SchemaContent("JSON", "{\"type\":\"object\"}", List.of()));
        assertThatThrownBy(() -> restarted.deleteSubject("c", false))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(42206));
    }

    @Test
    void shouldNotWriteAnythingWhenARegistrationIsRefused() {
        service.register("s", V1, null);
        int before = written.size();

        assertThatThrownBy(() -> service.register("s", "{\"type\":\"record\",\"name\":\"T\",\"fields\":["
                + "{\"name\":\"a\",\"type\":\"string\"}]}", null))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(409));
        assertThat(written).hasSize(before);
    }

    @Test
    void shouldNotApplyAChangeWhenTheStoreWriteFails() {
        RegistryService failing = RegistryService.create((k, v) -> {
            throw RegistryException.storeError("broker down", null);
        });

        assertThatThrownBy(() -> failing.register("s", V1, null)).isInstanceOf(RegistryException.class);
        assertThat(failing.subjects(true)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"40401,404", "40408,404", "409,409", "42201,422", "42203,422", "50001,500", "400,400"})
    void shouldDeriveTheHttpStatusFromTheFirstThreeDigitsOfTheErrorCode(int errorCode, int status) {
        assertThat(new RegistryException(errorCode, "m").httpStatus()).isEqualTo(status);
    }

    @ParameterizedTest
    @CsvSource({"latest,-1", "LATEST,-1", "-1,-1", "1,1", "2147483647,2147483647"})
    void shouldAcceptAVersionWhenItIsANumberFromOneOrLatest(String spec, int expected) {
        assertThat(VersionSpec.parse(spec)).isEqualTo(expected);
    }
}
