package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.autoscaler.KubernetesActuator;
import dev.ferry.cli.Ferry;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.schemas.ScalingDecision;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

/**
 * There is no Kubernetes cluster here, so deploy/kubernetes cannot be applied by the tests; as ComposeFileTest does
 * for docker-compose.yml, this loads every manifest through the fabric8 client and checks what can go wrong without
 * a cluster (issue 15 part 7): every service has a workload whose arguments the real command line accepts, the
 * ports and probes are the ones the service serves, the autoscaler's Role grants what KubernetesActuator really
 * calls, and no secret is written into a manifest.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final List<String> SERVICES = List.of("gateway", "dispatcher", "worker", "metering", "autoscaler");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private final List<HasMetadata> resources = load();

    private static List<HasMetadata> load() {
        List<HasMetadata> all = new ArrayList<>();
        try (KubernetesClient client = new KubernetesClientBuilder().build();
                Stream<Path> files = Files.walk(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    all.addAll(client.load(in).items());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + DIR, e);
        }
        return all;
    }

    /** One Ferry container of a workload, its command line parsed by the real CLI. */
    private record Workload(HasMetadata owner, PodSpec pod, Container container, ParseResult parsed,
            FerryConfig config, Map<String, String> settings) {

        String service() {
            return parsed.subcommand().commandSpec().name();
        }

        int managementPort() {
            return ((Number) parsed.subcommand().matchedOptionValue("--metrics-port", 9400)).intValue();
        }

        Optional<EnvVar> env(String name) {
            return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst();
        }
    }

    private List<Workload> workloads() {
        List<Workload> workloads = new ArrayList<>();
        for (HasMetadata resource : resources) {
            PodSpec pod = resource instanceof Deployment d ? d.getSpec().getTemplate().getSpec()
                    : resource instanceof StatefulSet s ? s.getSpec().getTemplate().getSpec() : null;
            if (pod == null) {
                continue;
            }
            for (Container container : pod.getContainers()) {
                ParseResult parsed = Ferry.commandLine().parseArgs(container.getArgs().toArray(String[]::new));
                ServiceCommand command = (ServiceCommand) parsed.subcommand().commandSpec().userObject();
                Map<String, String> settings = new LinkedHashMap<>(command.connection.settings);
                workloads.add(new Workload(resource, pod, container, parsed,
                        new FerryConfig(new HashMap<>(settings)), settings));
            }
        }
        return workloads;
    }

    private List<Workload> workloadsOf(String service) {
        return workloads().stream().filter(w -> w.service().equals(service)).toList();
    }

    private Workload only(String service) {
        List<Workload> found = workloadsOf(service);
        assertThat(found).as("workloads running ferry " + service).hasSize(1);
        return found.get(0);
    }

    private <T extends HasMetadata> T named(Class<T> kind, String name) {
        return resources.stream().filter(kind::isInstance).map(kind::cast)
                .filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
    }

    @Test
    void shouldRunEveryFerryServiceWithArgumentsTheCliAccepts() {
        for (Workload w : workloads()) {
            assertThat(w.container().getArgs()).as(w.owner().getMetadata().getName()).first()
                    .isEqualTo(w.service());
            assertThat(w.parsed().subcommand().matchedOptionValue("--bootstrap-servers", ""))
                    .isEqualTo("$(KAFKA_BOOTSTRAP_SERVERS)");
            assertThat(w.parsed().subcommand().matchedOptionValue("--schema-registry", ""))
                    .isEqualTo("$(SCHEMA_REGISTRY_URL)");
        }
        for (String service : SERVICES) {
            assertThat(workloadsOf(service)).as("a workload runs ferry " + service).isNotEmpty();
        }
        assertThat(only("gateway").owner()).isInstanceOf(Deployment.class);
        assertThat(((Deployment) only("gateway").owner()).getSpec().getReplicas()).isEqualTo(2);
        assertThat(only("dispatcher").owner()).isInstanceOf(StatefulSet.class);
        assertThat(only("metering").owner()).isInstanceOf(StatefulSet.class);
        assertThat(only("autoscaler").owner()).isInstanceOf(Deployment.class);
    }

    /** Kubernetes leaves a {@code $(NAME)} it cannot resolve as it is, so a typo would reach Ferry as a value. */
    @Test
    void shouldDefineEveryVariableAnArgumentReferencesFromTheConfigMapASecretOrThePod() {
        for (Workload w : workloads()) {
            for (String arg : w.container().getArgs()) {
                Matcher m = VARIABLE.matcher(arg);
                while (m.find()) {
                    EnvVar env = w.env(m.group(1)).orElseThrow(() -> new AssertionError(
                            w.owner().getMetadata().getName() + " references undefined $(" + m.group(1) + ")"));
                    assertThat(env.getValue()).as(env.getName() + " comes from a reference, not a literal").isNull();
                    assertThat(env.getValueFrom()).as(env.getName()).isNotNull();
                    if (env.getValueFrom().getConfigMapKeyRef() != null) {
                        String map = env.getValueFrom().getConfigMapKeyRef().getName();
                        String key = env.getValueFrom().getConfigMapKeyRef().getKey();
                        assertThat(named(io.fabric8.kubernetes.api.model.ConfigMap.class, map).getData())
                                .as("ConfigMap " + map).containsKey(key);
                    }
                }
            }
        }
    }

    @Test
    void shouldGiveEachDispatcherPodItsPodNameAsItsStableTransactionalId() {
        Workload dispatcher = only("dispatcher");
        assertThat(dispatcher.config().dispatcher().transactionalId()).isEqualTo("$(POD_NAME)");
        assertThat(dispatcher.env("POD_NAME").orElseThrow().getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.name");
        StatefulSet set = (StatefulSet) dispatcher.owner();
        assertThat(named(Service.class, set.getSpec().getServiceName()).getSpec().getClusterIP()).isEqualTo("None");
    }

    @Test
    void shouldReachEachMeteringPodUnderItsStableNameAndKeepItsStateOnAVolume() {
        Workload metering = only("metering");
        StatefulSet set = (StatefulSet) metering.owner();
        Service pods = named(Service.class, set.getSpec().getServiceName());
        assertThat(pods.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(metering.config().metering().httpHost())
                .isEqualTo("$(POD_NAME)." + pods.getMetadata().getName() + ".$(POD_NAMESPACE).svc");
        assertThat(metering.env("POD_NAMESPACE").orElseThrow().getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.namespace");

        String stateDir = metering.config().metering().stateDir();
        VolumeMount mount = metering.container().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(stateDir)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume at metering.state.dir " + stateDir));
        assertThat(set.getSpec().getVolumeClaimTemplates()).extracting(c -> c.getMetadata().getName())
                .contains(mount.getName());

        URI meteringUrl = (URI) only("gateway").parsed().subcommand().matchedOptionValue("--metering-url", null);
        Service api = named(Service.class, meteringUrl.getHost());
        assertThat(api.getSpec().getSelector()).isEqualTo(pods.getSpec().getSelector());
        assertThat(api.getSpec().getPorts()).extracting(ServicePort::getPort).contains(meteringUrl.getPort());
        assertThat(metering.config().metering().httpPort()).isEqualTo(meteringUrl.getPort());
    }

    /**
     * The paths each port serves, from the code: the gateway's routes (ingest PlatformRoutes) and metering's usage
     * API (UsageHttpApi) serve /healthz and /readyz; every process's metrics/management listener serves /healthz and,
     * since session 12, /readyz (ManagementServer).
     */
    private static Map<Integer, Set<String>> served(Workload w) {
        Map<Integer, Set<String>> served = new HashMap<>();
        // The gateway's own listener since issue 12's management listener; before it, the others' --metrics-port.
        served.put(w.managementPort(), Set.of("/healthz", "/readyz"));
        switch (w.service()) {
            case "gateway" -> served.put(w.config().gateway().port(), Set.of("/healthz", "/readyz"));
            case "metering" -> served.put(w.config().metering().httpPort(), Set.of("/healthz", "/readyz"));
            default -> { }
        }
        return served;
    }

    @Test
    void shouldExposeAndProbeOnlyPortsAndPathsTheServiceServes() {
        for (Workload w : workloads()) {
            String name = w.owner().getMetadata().getName();
            Map<Integer, Set<String>> served = served(w);
            Map<String, Integer> named = new HashMap<>();
            for (ContainerPort port : w.container().getPorts()) {
                assertThat(served).as(name + " listens on container port " + port.getContainerPort())
                        .containsKey(port.getContainerPort());
                named.put(port.getName(), port.getContainerPort());
            }
            assertThat(named.values()).as(name + " declares every port it serves")
                    .containsExactlyInAnyOrderElementsOf(served.keySet());

            Probe liveness = w.container().getLivenessProbe();
            Probe readiness = w.container().getReadinessProbe();
            assertThat(liveness).as(name + " liveness").isNotNull();
            assertThat(readiness).as(name + " readiness").isNotNull();
            assertThat(liveness.getHttpGet().getPath()).as(name).isEqualTo("/healthz");
            for (Probe probe : List.of(liveness, readiness)) {
                int port = resolve(probe.getHttpGet().getPort(), named);
                assertThat(served.get(port)).as(name + " serves " + probe.getHttpGet().getPath() + " on " + port)
                        .contains(probe.getHttpGet().getPath());
            }
            if (served.get(w.managementPort()) != null && named.containsValue(w.managementPort())) {
                // Off loopback the management listener refuses to start without its token (issue 12), which comes
                // from the Secret's settings file (checked below), never from the command line.
                assertThat(w.settings()).as(name).containsEntry("management.host", "0.0.0.0");
                Object settingsFile = w.parsed().subcommand().matchedOptionValue("--config-file", null);
                assertThat(settingsFile).as(name).isNotNull();
            }
        }
        assertThat(only("gateway").container().getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(only("metering").container().getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        // Session 12: a dispatcher that cannot route (its registry gone) is not ready, which /healthz never said.
        assertThat(only("dispatcher").container().getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    }

    @Test
    void shouldRouteEveryServiceToANamedPortOfItsPods() {
        for (Service service : resources.stream().filter(Service.class::isInstance).map(Service.class::cast).toList()) {
            List<Workload> targets = workloads().stream().filter(w -> labels(w.owner()).entrySet()
                    .containsAll(service.getSpec().getSelector().entrySet())).toList();
            assertThat(targets).as("pods selected by Service " + service.getMetadata().getName()).isNotEmpty();
            for (ServicePort port : service.getSpec().getPorts()) {
                for (Workload w : targets) {
                    assertThat(w.container().getPorts()).extracting(ContainerPort::getName)
                            .as(service.getMetadata().getName() + " → " + w.owner().getMetadata().getName())
                            .contains(port.getTargetPort().getStrVal());
                }
            }
        }
        Workload gateway = only("gateway");
        Service gatewayService = named(Service.class, "ferry-gateway");
        assertThat(gatewayService.getSpec().getPorts()).extracting(ServicePort::getPort)
                .containsExactly(gateway.config().gateway().port());
    }

    private static Map<String, String> labels(HasMetadata owner) {
        return owner instanceof Deployment d ? d.getSpec().getTemplate().getMetadata().getLabels()
                : ((StatefulSet) owner).getSpec().getTemplate().getMetadata().getLabels();
    }

    private static int resolve(IntOrString port, Map<String, Integer> named) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        Integer number = named.get(port.getStrVal());
        assertThat(number).as("named port " + port.getStrVal()).isNotNull();
        return number;
    }

    @Test
    void shouldTakeEverySecretFromASecretAndWriteNoneIntoAManifest() {
        assertThat(resources).as("no Secret with values is shipped").noneMatch(r -> r.getKind().equals("Secret"));
        Pattern secretish = Pattern.compile("(?i).*(token|password|secret|jaas|api.?key).*");
        for (Workload w : workloads()) {
            String name = w.owner().getMetadata().getName();
            for (EnvVar env : w.container().getEnv()) {
                if (secretish.matcher(env.getName()).matches()) {
                    assertThat(env.getValue()).as(name + " env " + env.getName() + " is no literal").isNull();
                    assertThat(env.getValueFrom().getSecretKeyRef()).as(name + " env " + env.getName()).isNotNull();
                }
            }
            // Not even as a $(VAR) from a Secret: Kubernetes puts the value into the process's command line, which
            // ps shows to every user of the pod. Tokens come from the Secret's settings file (--config-file).
            assertThat(w.settings().keySet()).as(name + " gives no secret with --set").noneMatch(key -> secretish
                    .matcher(key).matches());
            Object settingsFile = w.parsed().subcommand().matchedOptionValue("--config-file", null);
            assertThat(settingsFile).as(name + " reads its tokens from a file").isNotNull();
            assertFromSecretVolume(w, settingsFile.toString());
            Object kafkaConfig = w.parsed().subcommand().matchedOptionValue("--kafka-config", null);
            assertThat(kafkaConfig).as(name + " reads the Kafka client's credentials from a file").isNotNull();
            assertFromSecretVolume(w, kafkaConfig.toString());
        }
        assertFromSecretVolume(only("gateway"), only("gateway").config().gateway().tenantsFile());
    }

    private void assertFromSecretVolume(Workload w, String file) {
        VolumeMount mount = w.container().getVolumeMounts().stream()
                .filter(m -> file.startsWith(m.getMountPath() + "/")).findFirst()
                .orElseThrow(() -> new AssertionError(file + " is on no volume of " + w.owner().getMetadata()
                        .getName()));
        Volume volume = w.pod().getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow();
        assertThat(volume.getSecret()).as(file + " comes from a Secret").isNotNull();
        assertThat(mount.getReadOnly()).isTrue();
    }

    /**
     * Runs the real KubernetesActuator against a recording API server and maps each request to the RBAC verb it
     * needs; the autoscaler's Role must grant exactly those, and its binding must name the pod's ServiceAccount.
     */
    @Test
    void shouldGrantTheAutoscalerExactlyTheVerbsKubernetesActuatorUses() throws Exception {
        Workload autoscaler = only("autoscaler");
        assertThat(autoscaler.config().autoscaler().actuator()).isEqualTo(KubernetesActuator.NAME);
        assertThat(autoscaler.config().autoscaler().kubernetesNamespace()).isEqualTo("$(POD_NAMESPACE)");

        Set<String> needed = verbsTheActuatorUses(autoscaler.config().autoscaler().kubernetesDeployment());
        assertThat(needed).contains("apps/deployments/scale:update");

        String account = autoscaler.pod().getServiceAccountName();
        RoleBinding binding = resources.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
                .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getKind().equals("ServiceAccount")
                        && s.getName().equals(account))).findFirst()
                .orElseThrow(() -> new AssertionError("no RoleBinding for ServiceAccount " + account));
        assertThat(named(io.fabric8.kubernetes.api.model.ServiceAccount.class, account)).isNotNull();
        Role role = named(Role.class, binding.getRoleRef().getName());
        Set<String> granted = new LinkedHashSet<>();
        for (PolicyRule rule : role.getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        granted.add(group + "/" + resource + ":" + verb);
                    }
                }
            }
        }
        assertThat(granted).containsExactlyInAnyOrderElementsOf(needed);

        // The Deployment name the actuator scales for a function is the one the per-function example carries.
        KubernetesActuator naming = new KubernetesActuator(null, "ns",
                autoscaler.config().autoscaler().kubernetesDeployment(), false);
        FunctionRef echoRef = new FunctionRef("default", "echo");
        String echo = naming.deploymentName(echoRef);
        assertThat(named(Deployment.class, echo).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getArgs()).first().isEqualTo("worker");
        // ... and its pods run that function's pool only, not every function's.
        Workload echoWorker = workloadsOf("worker").stream().filter(w -> w.owner().getMetadata().getName().equals(echo))
                .findFirst().orElseThrow();
        assertThat(echoWorker.config().worker().pools().runs(echoRef)).isTrue();
        assertThat(echoWorker.config().worker().pools().runs(new FunctionRef("default", "sha256"))).isFalse();
    }

    private static Set<String> verbsTheActuatorUses(String template) throws IOException {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Pattern path = Pattern.compile("/apis/apps/v1/namespaces/ns/deployments/([^/]+)(/scale)?");
        server.createContext("/", exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod();
                Matcher m = path.matcher(exchange.getRequestURI().getPath());
                requests.add(method + " " + exchange.getRequestURI().getPath());
                String body;
                if (!m.matches()) {
                    body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":404}";
                    send(exchange, 404, body);
                    return;
                }
                String name = m.group(1);
                if (m.group(2) == null) {
                    body = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"" + name
                            + "\",\"namespace\":\"ns\",\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":1},"
                            + "\"status\":{\"replicas\":1}}";
                } else if (method.equals("GET")) {
                    body = "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":{\"name\":\"" + name
                            + "\",\"namespace\":\"ns\",\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":1},"
                            + "\"status\":{\"replicas\":1}}";
                } else {
                    body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                }
                send(exchange, 200, body);
            }
        });
        server.start();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).withNamespace("ns")
                .withRequestRetryBackoffLimit(0).build()).build();
                KubernetesActuator actuator = new KubernetesActuator(client, "ns", template, false)) {
            actuator.apply(ScalingDecision.newBuilder().setTenant("default").setFunction("echo").setFrom(1)
                    .setTo(3).setReason("lag").setPolicy("test").setAt(Instant.now()).build());
            actuator.remove(new FunctionRef("default", "echo"));
        } finally {
            server.stop(0);
        }
        assertThat(requests).as("the actuator scaled through the API").anyMatch(r -> r.endsWith("/scale"));
        Set<String> verbs = new LinkedHashSet<>();
        for (String request : requests) {
            String[] parts = request.split(" ");
            String resource = parts[1].endsWith("/scale") ? "deployments/scale" : "deployments";
            String verb = switch (parts[0]) {
                case "GET" -> "get";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "POST" -> "create";
                case "DELETE" -> "delete";
                default -> throw new AssertionError("unexpected request " + request);
            };
            verbs.add("apps/" + resource + ":" + verb);
        }
        return verbs;
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
