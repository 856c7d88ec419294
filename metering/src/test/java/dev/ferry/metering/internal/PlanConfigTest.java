package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import java.math.BigDecimal;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class PlanConfigTest {

    @Test
    void shouldPutUnlistedTenantsOnDefaultPlanWhenNoPlansAreConfigured() {
        MeteringConfig.Plan plan = FerryConfig.defaults().metering().planOf("acme");
        assertThat(plan.name()).isEqualTo(MeteringConfig.DEFAULT_PLAN);
        assertThat(plan.pricePerGbSecond()).isEqualTo(new BigDecimal("0.0000166667"));
        assertThat(plan.pricePerRequest()).isEqualTo(new BigDecimal("0.0000002"));
    }

    @Test
    void shouldPriceTenantByItsPlanWhenTenantPlansNameIt() {
        MeteringConfig metering = new FerryConfig(Map.of(
                MeteringConfig.PLANS, "pro:0.000015:0.00000015, free:0:0",
                MeteringConfig.TENANT_PLANS, "acme:pro,globex:free")).metering();
        assertThat(metering.planOf("acme").pricePerGbSecond()).isEqualTo(new BigDecimal("0.000015"));
        assertThat(metering.planOf("globex").pricePerRequest()).isEqualTo(new BigDecimal("0"));
        assertThat(metering.planOf("initech").name()).isEqualTo(MeteringConfig.DEFAULT_PLAN);
    }

    @Test
    void shouldRejectConfigurationWhenPlanIsMalformedOrUnknown() {
        assertThatThrownBy(() -> new FerryConfig(Map.of(MeteringConfig.PLANS, "pro:cheap:0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(MeteringConfig.PLANS);
        assertThatThrownBy(() -> new FerryConfig(Map.of(MeteringConfig.PLANS, "pro:-1:0")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new FerryConfig(Map.of(MeteringConfig.TENANT_PLANS, "acme:gold")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(MeteringConfig.TENANT_PLANS);
    }
}
