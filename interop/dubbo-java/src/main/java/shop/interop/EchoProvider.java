package shop.interop;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.Map;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.RpcContext;

import shop.testing.v1.DubboEchoServiceTriple;
import shop.testing.v1.Echo.EchoRequest;
import shop.testing.v1.Echo.EchoResponse;
import shop.testing.v1.EchoService;

/**
 * A Dubbo 3.3 provider of shop.testing.v1.EchoService (proto/shop/testing) over Triple,
 * registered in the stack's ZooKeeper at 127.0.0.1 and listening there only, presenting the
 * certificate of the service's owner (echo) and requiring a client certificate of the shop's CA.
 *
 * <p>JSON lines: the URLs it exported, one line per call served (with the caller's headers), and
 * once standard input closes (the test's signal to stop) every TCP socket the process held.
 */
public final class EchoProvider {
    private EchoProvider() {}

    /** Answers as the shop's own EchoService providers do: the message and host:port. */
    static final class Echoes extends DubboEchoServiceTriple.EchoServiceImplBase {
        private final String address;

        Echoes(String address) {
            this.address = address;
        }

        @Override
        public EchoResponse echo(EchoRequest request) {
            return serve("Echo", request);
        }

        @Override
        public EchoResponse record(EchoRequest request) {
            return serve("Record", request);
        }

        private EchoResponse serve(String method, EchoRequest request) {
            if (request.getDelayMs() > 0) {
                try {
                    Thread.sleep(request.getDelayMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Map<String, Object> headers = RpcContext.getServerAttachment().getObjectAttachments();
            JsonObject line = Interop.event("served");
            line.addProperty("method", method);
            line.addProperty("message", request.getMessage());
            for (String header : new String[] {"x-caller-app", "tri-consumer-appname", "x-trace-id"}) {
                Object value = headers.get(header);
                if (value != null) line.addProperty(header, value.toString());
            }
            Interop.emit(line);
            return EchoResponse.newBuilder().setMessage(request.getMessage()).setProvider(address).build();
        }
    }

    public static void main(String[] args) throws Exception {
        SocketWatch sockets = SocketWatch.start();
        JsonObject settings = Interop.readSettings(args);
        String host = Interop.prepare();
        int port = settings.get("port").getAsInt();

        ProtocolConfig protocol = new ProtocolConfig("tri", port);
        protocol.setHost(host);
        ServiceConfig<EchoService> service = new ServiceConfig<>();
        service.setInterface(EchoService.class);
        service.setRef(new Echoes(host + ":" + port));

        DubboBootstrap bootstrap = DubboBootstrap.getInstance()
                .application(Interop.application(settings.get("application").getAsString()))
                .registry(Interop.registry(settings))
                .protocol(protocol)
                .ssl(Interop.serverSsl(settings))
                .service(service)
                .start();

        JsonObject exported = Interop.event("exported");
        JsonArray urls = new JsonArray();
        for (URL url : service.getExportedUrls()) urls.add(url.toFullString());
        exported.add("urls", urls);
        Interop.emit(exported);

        // Serves until the test closes standard input.
        while (System.in.read() >= 0) {
            // nothing to read: only the end matters
        }
        bootstrap.stop();
        JsonObject report = sockets.report();
        report.addProperty("kind", "sockets");
        Interop.emit(report);
        Interop.emit(Interop.event("done"));
        System.exit(0);
    }
}
