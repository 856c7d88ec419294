package dev.ferry.cli.service;

import dev.ferry.cli.CliException;
import dev.ferry.cli.Table;
import dev.ferry.ingest.Quota;
import dev.ferry.ingest.TenantAdmin;
import dev.ferry.ingest.TopicPatterns;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ferry tenants}: manages the gateway's tenants file. A new key is printed once and stored only as a hash;
 * running gateways pick the change up within a second.
 */
@Command(name = "tenants", mixinStandardHelpOptions = true,
        description = "Create tenants, add, list and revoke their API keys, set the topics their triggers may use, "
                + "list tenants.",
        subcommands = {TenantsCommand.Create.class, TenantsCommand.Key.class, TenantsCommand.Keys.class,
                TenantsCommand.Revoke.class, TenantsCommand.Topics.class})
public final class TenantsCommand implements Callable<Integer> {

    static final String DEFAULT_FILE = ".ferry-data/tenants.json";

    @Spec
    CommandSpec spec;

    @Option(names = "--file", defaultValue = DEFAULT_FILE, scope = CommandLine.ScopeType.INHERIT,
            description = "The tenants file (default: ${DEFAULT-VALUE}).")
    Path file;

    @Override
    public Integer call() {
        TenantAdmin admin = new TenantAdmin(file);
        Table table = new Table("TENANT", "REQUESTS_PER_S", "BURST", "MAX_CONCURRENT", "TOPICS");
        for (String tenant : admin.tenants()) {
            Quota quota = admin.quota(tenant).orElse(Quota.defaults());
            table.row(tenant, orDefault(quota.requestsPerSecond()), orDefault(quota.burst()),
                    orDefault(quota.maxConcurrent()), admin.topics(tenant).map(TopicPatterns::toString).orElse("-"));
        }
        if (table.isEmpty()) {
            spec.commandLine().getOut().println("no tenants in " + file);
        } else {
            table.print(spec.commandLine().getOut());
        }
        return 0;
    }

    private static Object orDefault(Object value) {
        return value == null ? "default" : value;
    }

    static final String TOPICS_HELP = "Kafka topics the tenant's triggers may use, comma-separated; '*' stands for "
            + "any run of characters (e.g. 'orders*,acme.*'). Default: none. Ferry's own topics are never allowed.";

    static void printKey(PrintWriter out, TenantAdmin admin, String tenant, String key) {
        String id = admin.keyIdOf(key).orElseThrow();
        out.println("API key " + id + " for tenant " + tenant + " (shown once; only its hash is stored; revoke it with "
                + "'ferry tenants revoke " + tenant + " " + id + "'):");
        out.println(key);
    }

    /**
     * What every subcommand shares: the tenant it names, the file (from the parent's {@code --file}), and a refusal
     * of {@link TenantAdmin} (unknown tenant, bad name or pattern) turned into exit code 2 with its message.
     */
    abstract static class TenantSubcommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ParentCommand
        TenantsCommand parent;

        @Parameters(index = "0", description = "Tenant name: a-z, 0-9 and '-'.")
        String name;

        abstract void run(TenantAdmin admin, PrintWriter out);

        @Override
        public final Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                run(new TenantAdmin(parent.file), out);
                return 0;
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), 2);
            } finally {
                out.flush();
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant and print its first API key.")
    static final class Create extends TenantSubcommand {
        @Option(names = "--requests-per-second", description = "Sustained request rate (default: the gateway's).")
        Double requestsPerSecond;

        @Option(names = "--burst", description = "Requests allowed at once above the rate.")
        Integer burst;

        @Option(names = "--max-concurrent", description = "Invocations in flight at once, across all gateways.")
        Integer maxConcurrent;

        @Option(names = "--topics", split = ",", description = TOPICS_HELP)
        List<String> topics;

        @Override
        void run(TenantAdmin admin, PrintWriter out) {
            TopicPatterns.of(topics); // refuse a bad pattern before the tenant exists
            String key = admin.createTenant(name, new Quota(requestsPerSecond, burst, maxConcurrent, null, null));
            if (topics != null) {
                admin.setTopics(name, topics);
            }
            printKey(out, admin, name, key);
        }
    }

    @Command(name = "key", mixinStandardHelpOptions = true,
            description = "Add an API key to a tenant (e.g. to rotate) and print it.")
    static final class Key extends TenantSubcommand {
        @Override
        void run(TenantAdmin admin, PrintWriter out) {
            printKey(out, admin, name, admin.createKey(name));
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true,
            description = "List a tenant's API keys by id and creation time (the keys themselves are not stored).")
    static final class Keys extends TenantSubcommand {
        @Override
        void run(TenantAdmin admin, PrintWriter out) {
            Table table = new Table("KEY_ID", "CREATED");
            admin.keys(name).forEach(k -> table.row(k.id(), k.createdAt()));
            if (table.isEmpty()) {
                out.println("tenant " + name + " has no key");
            } else {
                table.print(out);
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke one of a tenant's API keys by its id (see 'keys'); running gateways refuse it "
                    + "within a second.")
    static final class Revoke extends TenantSubcommand {
        @Parameters(index = "1", description = "The key's id, as printed when it was created or by 'keys'.")
        String keyId;

        @Override
        void run(TenantAdmin admin, PrintWriter out) {
            int left = admin.revokeKey(name, keyId);
            out.println("revoked key " + keyId + " of tenant " + name + "; " + (left == 0
                    ? "it has no key left (add one with 'ferry tenants key " + name + "')"
                    : left + (left == 1 ? " key" : " keys") + " left"));
        }
    }

    @Command(name = "topics", mixinStandardHelpOptions = true,
            description = "Show or set the Kafka topics a tenant's triggers may use (running gateways pick it up "
                    + "within a second).")
    static final class Topics extends TenantSubcommand {
        @Parameters(index = "1", arity = "0..1", split = ",", description = TOPICS_HELP
                + " Without it, prints the current patterns.")
        List<String> patterns;

        @Option(names = "--none", description = "Allow no topic at all.")
        boolean none;

        @Override
        void run(TenantAdmin admin, PrintWriter out) {
            if (none && patterns != null) {
                throw new CliException("give patterns or --none, not both", 2);
            }
            if (!none && patterns == null) {
                TopicPatterns current = admin.topics(name).orElseThrow(
                        () -> new IllegalArgumentException("No tenant '" + name + "' in " + parent.file));
                out.println(current.isEmpty() ? "tenant " + name + " may use no topic" : current.toString());
                return;
            }
            TopicPatterns set = admin.setTopics(name, none ? List.of() : patterns);
            out.println("tenant " + name + " may use " + (set.isEmpty() ? "no topic" : "topics " + set));
        }
    }
}
