package org.qmsgraph.testserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Test-only Neo4j server for qmsgraph.
 *
 * <p>Runs Neo4j Community (embedded) with the Bolt connector on 127.0.0.1:PORT and
 * authentication on; the user {@code neo4j} gets the given password. Prints one line
 * {@code READY bolt://127.0.0.1:PORT} on stdout once Bolt accepts connections with that
 * password, and shuts the DBMS down cleanly on SIGTERM/SIGINT.
 *
 * <p>Arguments (each falls back to an environment variable, then a default):
 * <pre>
 *   --port N          QMSGRAPH_NEO4J_PORT       7688
 *   --data-dir DIR    QMSGRAPH_NEO4J_DATA_DIR   ./neo4j-data
 *   --password PW     QMSGRAPH_NEO4J_PASSWORD   qmsgraph-test-pw
 *   --pagecache SIZE  QMSGRAPH_NEO4J_PAGECACHE  256m
 * </pre>
 * Neo4j's own logs (debug.log, ...) go to DATA_DIR/logs.
 */
public final class Main {

    private static final String DEFAULT_PASSWORD = "qmsgraph-test-pw";

    private Main() {}

    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (Throwable t) {
            // Neo4j's non-daemon threads would keep a half-started JVM alive: exit for real.
            log("failed: " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args);
        int port = Integer.parseInt(option(opts, "port", "QMSGRAPH_NEO4J_PORT", "7688"));
        Path dataDir = Path.of(option(opts, "data-dir", "QMSGRAPH_NEO4J_DATA_DIR", "neo4j-data"))
                .toAbsolutePath()
                .normalize();
        String password = option(opts, "password", "QMSGRAPH_NEO4J_PASSWORD", DEFAULT_PASSWORD);
        String pagecache = option(opts, "pagecache", "QMSGRAPH_NEO4J_PAGECACHE", "256m");
        if (password.length() < 8) {
            // Neo4j 5's default dbms.security.auth_minimum_password_length is 8.
            throw new IllegalArgumentException("password must have at least 8 characters");
        }

        Files.createDirectories(dataDir);
        log("starting Neo4j Community (embedded) in " + dataDir + ", bolt 127.0.0.1:" + port);
        long t0 = System.nanoTime();

        SocketAddress bolt = new SocketAddress("127.0.0.1", port);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(dataDir)
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress("127.0.0.1"))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // The server-side routing connector would listen on :7688 by default;
                // client-side routing (neo4j:// URIs) does not need it.
                .setConfig(GraphDatabaseSettings.routing_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, parseBytes(pagecache))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
                // Tests try wrong passwords on purpose: never lock the user out (default: 3 tries, then 5 s).
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                // Netty's graceful shutdown would otherwise wait a 5 s quiet period on every stop.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down");
            try {
                dbms.shutdown();
                log("shut down cleanly");
            } catch (Throwable t) {
                log("error during shutdown: " + t);
            } finally {
                stopped.countDown();
            }
        }, "qmsgraph-neo4j-shutdown"));

        // Embedded transactions run with auth disabled, so this is allowed even though
        // Bolt clients need credentials.  Done before READY, so clients only ever see the
        // configured password.
        // On a kept data dir (scripts/neo4j.sh start --keep-data) the password may already be
        // this one, which Neo4j refuses to "change": that is fine.
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            if (!String.valueOf(causes(e)).contains("Old password and new password cannot be the same")) {
                throw e;
            }
            log("password unchanged (kept data dir)");
        }

        waitForPort(port, Duration.ofSeconds(60));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        log("started in " + ms + " ms");
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();

        stopped.await();
    }

    private static String causes(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }

    private static void waitForPort(int port, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IOException("Bolt port " + port + " did not accept connections", last);
    }

    private static long parseBytes(String s) {
        String v = s.trim().toLowerCase();
        long mult = 1;
        char last = v.charAt(v.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            mult = last == 'k' ? ByteUnit.kibiBytes(1) : last == 'm' ? ByteUnit.mebiBytes(1) : ByteUnit.gibiBytes(1);
            v = v.substring(0, v.length() - 1);
        }
        return Long.parseLong(v) * mult;
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("missing value for " + a);
            }
            out.put(key, value);
        }
        return out;
    }

    private static String option(Map<String, String> opts, String key, String env, String dflt) {
        String v = opts.get(key);
        if (v == null || v.isEmpty()) {
            v = System.getenv(env);
        }
        return v == null || v.isEmpty() ? dflt : v;
    }

    private static void log(String msg) {
        System.err.println("[qmsgraph-neo4j] " + java.time.Instant.now() + " " + msg);
        System.err.flush();
    }
}
