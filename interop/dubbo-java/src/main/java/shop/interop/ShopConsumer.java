package shop.interop;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.Message;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.dubbo.config.ConsumerConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.StatusRpcException;
import org.apache.dubbo.rpc.TriRpcStatus;
import org.apache.dubbo.rpc.cluster.ClusterInvoker;

/**
 * A Dubbo 3.3 consumer of the shop's services: Triple, the stack's ZooKeeper, interface-level
 * discovery, the stubs dubbo-compiler generated from proto/, and the certificate of one identity
 * of the shop's CA (the front door it stands in for).
 *
 * <p>Runs the calls its settings list, in order, one JSON line each: the response in proto3's JSON
 * mapping, or the status and the shop's error code; the provider address Dubbo used. Then the
 * addresses of its invokers and every TCP socket the process held, for the loopback check.
 */
public final class ShopConsumer {
    private ShopConsumer() {}

    public static void main(String[] args) throws Exception {
        SocketWatch sockets = SocketWatch.start();
        H2AlpnProvider.install();
        JsonObject settings = Interop.readSettings(args);
        Interop.prepare();
        JsonArray calls = settings.getAsJsonArray("calls");

        JsonObject tls = settings.getAsJsonObject("tls");
        Map<String, Path> ownerCerts = new LinkedHashMap<>();
        tls.getAsJsonObject("owners").entrySet().forEach(owner -> ownerCerts.put(owner.getKey(), Path.of(owner.getValue().getAsString())));
        OwnerCertProvider.configure(new OwnerCertProvider.Settings(Path.of(tls.get("cert").getAsString()), Path.of(tls.get("key").getAsString()), ownerCerts));

        DubboBootstrap bootstrap = DubboBootstrap.getInstance()
                .application(Interop.application(settings.get("application").getAsString()))
                .registry(Interop.registry(settings));
        ConsumerConfig consumer = new ConsumerConfig();
        consumer.setTimeout(10_000);
        // One attempt per call: PlaceOrder is not safe to repeat, and a refused call must show.
        consumer.setRetries(0);
        consumer.setCheck(true);
        bootstrap.consumer(consumer);

        Map<String, ReferenceConfig<?>> references = new LinkedHashMap<>();
        for (JsonElement element : calls) {
            String service = element.getAsJsonObject().get("service").getAsString();
            references.computeIfAbsent(service, ShopConsumer::reference);
        }
        references.values().forEach(bootstrap::reference);
        bootstrap.start();
        Interop.emit(Registered.consumers(settings, references.keySet()));

        // A refusal or a missing id is an answer too (its status is in the line): any other
        // failure ends the program with a stack trace and a non-zero exit.
        for (JsonElement element : calls) {
            JsonObject call = element.getAsJsonObject();
            Interop.emit(invoke(references.get(call.get("service").getAsString()), call));
        }

        JsonObject invokers = Interop.event("invokers");
        JsonArray providers = new JsonArray();
        for (ReferenceConfig<?> reference : references.values()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("service", reference.getInterface());
            JsonArray urls = new JsonArray();
            ((ClusterInvoker<?>) reference.getInvoker()).getDirectory().getAllInvokers().forEach(invoker -> urls.add(invoker.getUrl().toFullString()));
            entry.add("urls", urls);
            providers.add(entry);
        }
        invokers.add("services", providers);
        Interop.emit(invokers);

        JsonObject report = sockets.report();
        report.addProperty("kind", "sockets");
        Interop.emit(report);
        bootstrap.stop();
        Interop.emit(Interop.event("done"));
        System.exit(0);
    }

    private static ReferenceConfig<?> reference(String service) {
        ReferenceConfig<Object> reference = new ReferenceConfig<>();
        try {
            // The interface dubbo-compiler generated is named as the proto service: shop.goods.v1.GoodsService.
            reference.setInterface(Class.forName(service));
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("no stub for " + service, e);
        }
        reference.setProtocol("tri");
        return reference;
    }

    /** A call by its proto method name, with the request in proto3's JSON mapping. */
    private static JsonObject invoke(ReferenceConfig<?> reference, JsonObject call) throws Exception {
        String methodName = call.get("method").getAsString();
        String javaName = Character.toLowerCase(methodName.charAt(0)) + methodName.substring(1);
        Object stub = reference.get();
        Method method = null;
        for (Method candidate : reference.getInterfaceClass().getMethods()) {
            if (candidate.getName().equals(javaName) && candidate.getParameterCount() == 1
                    && Message.class.isAssignableFrom(candidate.getParameterTypes()[0])) method = candidate;
        }
        if (method == null) throw new IllegalArgumentException("no method " + methodName + " in " + reference.getInterface());
        Message.Builder builder = (Message.Builder) method.getParameterTypes()[0].getMethod("newBuilder").invoke(null);
        // The request as the TypeScript side encoded it (protobuf bytes, base64).
        builder.mergeFrom(Base64.getDecoder().decode(call.get("request").getAsString()));

        JsonObject line = Interop.event("call");
        line.addProperty("service", reference.getInterface());
        line.addProperty("method", methodName);
        CallRecorder.reset();
        long started = System.nanoTime();
        try {
            Message response = (Message) method.invoke(stub, builder.build());
            line.add("response", Interop.json(response));
            // The bytes too, for the test to decode with the TypeScript definitions and compare.
            line.addProperty("bytes", Base64.getEncoder().encodeToString(response.toByteArray()));
        } catch (InvocationTargetException e) {
            TriRpcStatus status = status(e.getCause());
            line.addProperty("status", status.code.name());
            line.addProperty("message", status.description);
            if (CallRecorder.errorCode != null) line.addProperty("errorCode", CallRecorder.errorCode.toString());
        } finally {
            line.addProperty("ms", (System.nanoTime() - started) / 1_000_000);
            line.addProperty("provider", CallRecorder.provider);
        }
        return line;
    }

    private static TriRpcStatus status(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof StatusRpcException) return ((StatusRpcException) cause).getStatus();
        }
        return TriRpcStatus.getStatus(error);
    }
}
