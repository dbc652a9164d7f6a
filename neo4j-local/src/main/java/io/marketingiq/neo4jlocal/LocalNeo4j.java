package io.marketingiq.neo4jlocal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Runs a Neo4j Community engine in this JVM with Bolt (and HTTP with Neo4j Browser) on loopback.
 *
 * <p>Configured from the environment so the Python CLI can start it without arguments:
 * NEO4J_LOCAL_HOME (data directory), NEO4J_LOCAL_BOLT_PORT, NEO4J_LOCAL_HTTP_PORT (0 disables HTTP),
 * NEO4J_LOCAL_AUTH (true/false), NEO4J_PASSWORD, NEO4J_LOCAL_PAGECACHE. Prints one READY line when
 * Bolt accepts connections and shuts the engine down cleanly on SIGTERM.
 */
public final class LocalNeo4j {

    private LocalNeo4j() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(env("NEO4J_LOCAL_HOME", "data/neo4j")).toAbsolutePath();
        int boltPort = Integer.parseInt(env("NEO4J_LOCAL_BOLT_PORT", "7687"));
        int httpPort = Integer.parseInt(env("NEO4J_LOCAL_HTTP_PORT", "7474"));
        boolean auth = Boolean.parseBoolean(env("NEO4J_LOCAL_AUTH", "true"));
        String password = env("NEO4J_PASSWORD", "");
        if (auth && password.length() < 8) {
            System.err.println("NEO4J_PASSWORD must be set (8 characters or more) when auth is on");
            System.exit(2);
        }
        Files.createDirectories(home);

        long started = System.nanoTime();
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", boltPort))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", boltPort))
                .setConfig(HttpConnector.enabled, httpPort > 0)
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .loadPropertiesFromFile(writeConfig(home));
        if (httpPort > 0) {
            builder.setConfig(HttpConnector.listen_address, new SocketAddress("127.0.0.1", httpPort));
        }
        DatabaseManagementService service = builder.build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING neo4j-local");
            service.shutdown();
            stopped.countDown();
        }, "neo4j-local-shutdown"));

        if (auth) {
            service.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        }
        service.database("neo4j").executeTransactionally("RETURN 1");

        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        System.out.printf("READY bolt=bolt://127.0.0.1:%d http=%s auth=%s home=%s startup_ms=%d%n",
                boltPort, httpPort > 0 ? "http://127.0.0.1:" + httpPort : "off", auth, home, millis);
        System.out.flush();
        stopped.await();
    }

    /** Settings without a public Setting constant go through a config file, checked strictly by the engine. */
    private static Path writeConfig(Path home) throws java.io.IOException {
        Path conf = home.resolve("neo4j-local.conf");
        Files.writeString(conf, String.join(System.lineSeparator(),
                "server.memory.pagecache.size=" + env("NEO4J_LOCAL_PAGECACHE", "256m"),
                "dbms.usage_report.enabled=false",
                "client.allow_telemetry=false",
                ""));
        return conf;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
