package shop.interop;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.dubbo.common.utils.NetUtils;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.SslConfig;

/**
 * What the consumer and the provider share: their settings (a JSON file the test writes), the
 * Dubbo configuration of an application that stays on loopback, and the JSON lines on stdout.
 */
final class Interop {
    private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    private static final Gson GSON = new Gson();

    private Interop() {}

    static JsonObject readSettings(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: <settings.json>");
        return JsonParser.parseString(Files.readString(Path.of(args[0]))).getAsJsonObject();
    }

    /** One JSON object per line on stdout (the test reads them); logs go to stderr. */
    static synchronized void emit(JsonObject line) {
        OUT.println(GSON.toJson(line));
    }

    static JsonObject event(String kind) {
        JsonObject line = new JsonObject();
        line.addProperty("kind", kind);
        return line;
    }

    /** A protobuf message in proto3's JSON mapping, as ts-proto's toJSON writes it. */
    static JsonObject json(MessageOrBuilder message) throws InvalidProtocolBufferException {
        return JsonParser.parseString(JsonFormat.printer().print(message)).getAsJsonObject();
    }

    /**
     * Settings every Dubbo application here needs before it starts: interface-level discovery only
     * (the shop's layout; no instance-level /services nodes, no metadata or configuration nodes), no
     * QoS port, no registry cache file. Then refuses to go on unless Dubbo's idea of this host is
     * 127.0.0.1: Dubbo puts it in place of any 127.x provider host it connects to, so with the
     * machine's address there the calls would leave through the network interface.
     */
    static String prepare() {
        System.setProperty("dubbo.application.service-discovery.migration", "FORCE_INTERFACE");
        System.setProperty("dubbo.application.register-mode", "interface");
        System.setProperty("dubbo.application.qos-enable", "false");
        System.setProperty("dubbo.application.logger", "slf4j");
        String localHost = NetUtils.getLocalHost();
        JsonObject line = event("localhost");
        line.addProperty("host", localHost);
        emit(line);
        if (!"127.0.0.1".equals(localHost))
            throw new IllegalStateException("Dubbo's local host is " + localHost
                    + ", not 127.0.0.1: run with -Ddubbo.network.interface.ignored=<every interface but lo>");
        return localHost;
    }

    static ApplicationConfig application(String name) {
        ApplicationConfig application = new ApplicationConfig(name);
        application.setQosEnable(false);
        application.setRegisterMode("interface");
        application.setMetadataType("local");
        application.setEnableFileCache(false);
        application.setLogger("slf4j");
        return application;
    }

    /** The stack's ZooKeeper with the shop's digest (Curator authenticates with the URL's user:password). */
    static RegistryConfig registry(JsonObject settings) {
        RegistryConfig registry = new RegistryConfig("zookeeper://" + settings.get("zookeeper").getAsString());
        String[] digest = settings.get("digest").getAsString().split(":", 2);
        registry.setUsername(digest[0]);
        registry.setPassword(digest[1]);
        registry.setUseAsConfigCenter(false);
        registry.setUseAsMetadataCenter(false);
        registry.setTimeout(10_000);
        return registry;
    }

    /** The provider's side of mutual TLS: the certificate it presents, and a client certificate of the CA required. */
    static SslConfig serverSsl(JsonObject settings) {
        JsonObject tls = settings.getAsJsonObject("tls");
        SslConfig ssl = new SslConfig();
        ssl.setServerKeyCertChainPath(tls.get("cert").getAsString());
        ssl.setServerPrivateKeyPath(tls.get("key").getAsString());
        // A trust collection makes Dubbo require a client certificate of that CA (AuthPolicy.CLIENT_AUTH).
        ssl.setServerTrustCertCollectionPath(tls.get("ca").getAsString());
        return ssl;
    }
}
