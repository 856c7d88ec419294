package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.ingest.Quota;
import dev.ferry.ingest.TenantAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantsTest {

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong();
    private final GatewayConfig defaults = FerryConfig.defaults().gateway();
    private Path file;
    private TenantAdmin admin;

    @BeforeEach
    void tenantsFile() {
        file = dir.resolve("tenants.json");
        admin = new TenantAdmin(file);
    }

    /** The gateway's view of the tenants file, on this test's clock. */
    private Tenants tenants() {
        return new Tenants(file, defaults, now::get);
    }

    /** The file changes after the gateway read it, and the gateway's next look at it is due. */
    private void fileChangedAndLookDue() throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void shouldWriteOnlyHashesWhenCreatingTenantsAndKeys() throws Exception {
        String first = admin.createTenant("acme");
        String second = admin.createKey("acme");

        String contents = Files.readString(file);
        assertThat(contents).doesNotContain(first).doesNotContain(second)
                .contains(ApiKeys.hash(first)).contains(ApiKeys.hash(second));
        assertThat(admin.tenants()).containsExactly("acme");
        assertThat(admin.tenantOf(second)).contains("acme");
    }

    @Test
    void shouldAuthenticateABearerKeyWhenItBelongsToATenant() {
        String acme = admin.createTenant("acme", new Quota(5.0, 7, 3, 1024, null));
        String beta = admin.createTenant("beta");
        Tenants tenants = tenants();

        Tenants.Caller caller = tenants.authenticate("Bearer " + acme);
        assertThat(caller.tenant()).isEqualTo("acme");
        assertThat(caller.limits()).isEqualTo(new Limits(5.0, 7, 3, 1024, defaults.asyncMaxPayloadBytes()));
        assertThat(tenants.authenticate("bearer " + beta).tenant()).isEqualTo("beta");
        assertThat(tenants.authenticate("Bearer " + beta).limits().burst()).isEqualTo(defaults.quotaBurst());
    }

    @Test
    void shouldRefuseWith401WithoutRevealingTheKeyWhenTheKeyIsMissingOrWrong() {
        admin.createTenant("acme");
        Tenants tenants = tenants();
        String wrong = ApiKeys.newKey();

        for (String header : new String[] {null, "", "Basic abc", "Bearer ", "Bearer " + wrong}) {
            assertThatThrownBy(() -> tenants.authenticate(header))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.getMessage()).doesNotContain(wrong);
                    });
        }
    }

    @Test
    void shouldSeeANewKeyWhenTheFileChangesWithoutARestart() throws Exception {
        admin.createTenant("acme");
        Tenants tenants = tenants();

        String added = admin.createKey("acme");
        fileChangedAndLookDue();

        assertThat(tenants.authenticate("Bearer " + added).tenant()).isEqualTo("acme");
    }

    @Test
    void shouldRefuseARevokedKeyWhenTheFileChangesWithoutARestart() throws Exception {
        String leaked = admin.createTenant("acme");
        String fresh = admin.createKey("acme");
        Tenants tenants = tenants();
        assertThat(tenants.authenticate("Bearer " + leaked).tenant()).isEqualTo("acme");

        String leakedId = admin.keyIdOf(leaked).orElseThrow();
        assertThat(admin.keys("acme")).extracting(TenantAdmin.KeyEntry::id)
                .containsExactly(leakedId, admin.keyIdOf(fresh).orElseThrow());
        assertThat(admin.revokeKey("acme", leakedId)).isEqualTo(1);
        fileChangedAndLookDue();

        assertThatThrownBy(() -> tenants.authenticate("Bearer " + leaked))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThat(tenants.authenticate("Bearer " + fresh).tenant()).isEqualTo("acme");
        assertThatThrownBy(() -> admin.revokeKey("acme", leakedId)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no key '" + leakedId + "'");
        assertThatThrownBy(() -> admin.revokeKey("nobody", leakedId)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A rate of 1e308 written into the file by hand answered every call of its tenant 500 (session 9): a quota out of
     * range refuses the file as NaN does, and the gateway keeps the tenants it had, with their quotas.
     */
    @Test
    void shouldKeepThePreviousTenantsWhenTheFileGetsAQuotaOutOfRange() throws Exception {
        Path file = dir.resolve("tenants.json");
        TenantAdmin admin = new TenantAdmin(file);
        String key = admin.createTenant("acme", new Quota(50.0, null, null, null, null));
        Tenants tenants = new Tenants(file, defaults, now::get);

        java.util.List<String> values = java.util.List.of("1e308", "1.0E10", "0.0");
        for (int i = 0; i < values.size(); i++) {
            String bad = values.get(i);
            Files.writeString(file, Files.readString(file).replaceFirst("\"requestsPerSecond\" : [^,}\\s]+",
                    "\"requestsPerSecond\" : " + bad));
            assertThat(Files.readString(file)).contains(bad);
            assertThatThrownBy(() -> TenantsFile.read(file)).as(bad).hasMessageContaining("requestsPerSecond")
                    .hasMessageContaining("1000000000");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5 + i)));
            now.addAndGet(TimeUnit.SECONDS.toNanos(2));

            Tenants.Caller caller = tenants.authenticate("Bearer " + key);
            assertThat(caller.limits().requestsPerSecond()).as(bad).isEqualTo(50.0);
        }
    }

    @Test
    void shouldRefuseToStartOnAConfiguredFileThatIsMissingOrBrokenNamingIt() throws Exception {
        // Tester 15A, finding 3: a typo'd or truncated file started a gateway that answered every key 401.
        Path typo = dir.resolve("tenatns.json");
        assertThatThrownBy(() -> new Tenants(typo, defaults, now::get))
                .isInstanceOf(dev.ferry.core.FerryException.class)
                .hasMessageContaining(typo.toString()).hasMessageContaining("does not exist")
                .hasMessageContaining(GatewayConfig.TENANTS_FILE);
        Path broken = dir.resolve("bad.json");
        Files.writeString(broken, "{\"tenants\": [{\"name\": \"acme\", \"ke");
        assertThatThrownBy(() -> new Tenants(broken, defaults, now::get))
                .isInstanceOf(dev.ferry.core.FerryException.class).hasMessageContaining(broken.toString())
                .hasMessageContaining("line 1").hasMessageNotContaining("REDACTED");
    }

    @Test
    void shouldKeepThePreviousTenantsWhenTheFileGoesMissingOrBreaksAfterTheStart() throws Exception {
        String key = admin.createTenant("acme");
        Tenants tenants = tenants();

        Files.delete(file);
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(tenants.authenticate("Bearer " + key).tenant()).isEqualTo("acme");

        Files.writeString(file, "{\"tenants\": [");
        fileChangedAndLookDue();
        assertThat(tenants.authenticate("Bearer " + key).tenant()).isEqualTo("acme");
    }

    @Test
    void shouldRefuseEveryoneWhenNoTenantsFileIsConfigured() {
        Tenants tenants = new Tenants(null, defaults, now::get);
        assertThatThrownBy(() -> tenants.authenticate("Bearer " + ApiKeys.newKey()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void shouldDropOtherKeysWhenRotating() {
        String old = admin.createTenant("acme");
        String fresh = admin.createKey("acme");

        assertThat(admin.revokeOtherKeys("acme", fresh)).isEqualTo(1);

        assertThat(admin.tenantOf(old)).isEmpty();
        assertThat(admin.tenantOf(fresh)).contains("acme");
    }

    @Test
    void shouldRefuseADuplicateOrInvalidTenantWhenCreating() {
        admin.createTenant("acme");

        assertThatThrownBy(() -> admin.createTenant("acme")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> admin.createTenant("Not Valid")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> admin.createKey("nobody")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGiveTheCallerTheTopicsOfItsEntryAndKeepThemWhenKeysChange() throws Exception {
        String acme = admin.createTenant("acme");
        String beta = admin.createTenant("beta");
        admin.setTopics("acme", List.of("orders*", "payments"));
        String rotated = admin.createKey("acme");
        admin.revokeOtherKeys("acme", rotated);
        Tenants tenants = tenants();

        Tenants.Caller caller = tenants.authenticate("Bearer " + rotated);
        assertThat(caller.topics().patterns()).containsExactly("orders*", "payments");
        assertThat(caller.topics().allows("orders-eu")).isTrue();
        assertThat(tenants.authenticate("Bearer " + beta).topics().allows("orders")).isFalse();
        assertThat(tenants.find(acme)).isEmpty();
        assertThat(Files.readString(file)).contains("\"topics\"").contains("orders*");
        assertThat(admin.topics("beta")).hasValueSatisfying(t -> assertThat(t.isEmpty()).isTrue());
    }

    @Test
    void shouldRefuseAnInvalidPatternOrAnUnknownTenantWhenSettingTopics() {
        admin.createTenant("acme");

        assertThatThrownBy(() -> admin.setTopics("acme", List.of("a b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a b'");
        assertThatThrownBy(() -> admin.setTopics("nobody", List.of("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nobody");
    }
}
