package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.Ferry;
import dev.ferry.ingest.TenantAdmin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry tenants}: the topics a tenant's triggers may use (issue 14, part 4). */
class TenantsCommandTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private Run ferry(String... args) {
        List<String> all = new ArrayList<>(List.of("tenants", "--file", dir.resolve("tenants.json").toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldCreateATenantWithTopicsAndListThem() {
        Run created = ferry("create", "acme", "--topics", "orders*,payments");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(ferry("create", "beta").exit()).isZero();

        Run list = ferry();
        assertThat(list.out()).containsPattern("(?m)^TENANT\\s+REQUESTS_PER_S\\s+BURST\\s+MAX_CONCURRENT\\s+TOPICS$")
                .containsPattern("(?m)^acme\\s+default\\s+default\\s+default\\s+orders\\*,payments$")
                .containsPattern("(?m)^beta\\s+default\\s+default\\s+default\\s+no topics$");
        assertThat(new TenantAdmin(dir.resolve("tenants.json")).topics("acme").orElseThrow().allows("orders-eu"))
                .isTrue();
    }

    @Test
    void shouldShowSetAndClearATenantsTopics() {
        ferry("create", "acme");
        assertThat(ferry("topics", "acme").out()).isEqualTo("tenant acme may use no topic\n");

        Run set = ferry("topics", "acme", "acme.*,shared");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).isEqualTo("tenant acme may use topics acme.*,shared\n");
        assertThat(ferry("topics", "acme").out()).isEqualTo("acme.*,shared\n");

        assertThat(ferry("topics", "acme", "--none").out()).isEqualTo("tenant acme may use no topic\n");
        assertThat(new TenantAdmin(dir.resolve("tenants.json")).topics("acme").orElseThrow().allows("shared"))
                .isFalse();
    }

    @Test
    void shouldListKeysByIdAndRevokeOneSoOnlyTheOtherStillAuthenticates() {
        Run created = ferry("create", "acme");
        Run added = ferry("key", "acme");
        String first = created.out().lines().toList().get(1);
        String second = added.out().lines().toList().get(1);
        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        String firstId = admin.keyIdOf(first).orElseThrow();
        assertThat(created.out()).startsWith("API key " + firstId + " for tenant acme")
                .contains("'ferry tenants revoke acme " + firstId + "'").doesNotContain(second);

        Run keys = ferry("keys", "acme");
        assertThat(keys.out()).containsPattern("(?m)^KEY_ID\\s+CREATED$").containsPattern("(?m)^" + firstId + "\\s+20")
                .doesNotContain(first).doesNotContain(second);

        Run revoked = ferry("revoke", "acme", firstId);
        assertThat(revoked.exit()).as(revoked.err()).isZero();
        assertThat(revoked.out()).isEqualTo("revoked key " + firstId + " of tenant acme; 1 key left\n");
        assertThat(admin.tenantOf(first)).isEmpty();
        assertThat(admin.tenantOf(second)).contains("acme");

        Run again = ferry("revoke", "acme", firstId);
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("has no key '" + firstId + "'");
    }

    @Test
    void shouldRefuseARateThatIsNotAPositiveFiniteNumber() {
        // 1e308 was accepted, and every call of the tenant then answered 500 (session 9): rates have the range of
        // gateway.quota.requests.per.second.
        for (String rate : List.of("NaN", "Infinity", "-5", "0", "1e308", "1e10", "0.0001")) {
            Run created = ferry("create", "q" + Math.abs(rate.hashCode() % 1000), "--requests-per-second=" + rate);
            assertThat(created.exit()).as(rate).isEqualTo(2);
            assertThat(created.err()).contains("must be a positive finite number");
        }
        for (String flag : List.of("--burst=0", "--max-concurrent=-1")) {
            Run created = ferry("create", "q-limits", flag);
            assertThat(created.exit()).as(flag).isEqualTo(2);
            assertThat(created.err()).contains("at least 1");
        }
        assertThat(new TenantAdmin(dir.resolve("tenants.json")).tenants()).isEmpty();
    }

    @Test
    void shouldExitWith2NamingTheBadPatternOrUnknownTenant() {
        ferry("create", "acme");

        Run bad = ferry("topics", "acme", "orders,or ders");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).startsWith("ferry: Topic pattern 'or ders'");

        Run unknown = ferry("topics", "nobody", "x");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("No tenant 'nobody'");

        Run badCreate = ferry("create", "beta", "--topics", "a b");
        assertThat(badCreate.exit()).isEqualTo(2);
        assertThat(new TenantAdmin(dir.resolve("tenants.json")).tenants()).as("no tenant half-created")
                .containsExactly("acme");
    }
}
