package shop.interop;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** What this process registered in ZooKeeper, read back with a plain ZooKeeper client. */
final class Registered {
    private Registered() {}

    /** This application's nodes under /dubbo/&lt;service&gt;/consumers, decoded. */
    static JsonObject consumers(JsonObject settings, Collection<String> services) throws Exception {
        String application = settings.get("application").getAsString();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(settings.get("zookeeper").getAsString(), 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        try {
            if (!connected.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("ZooKeeper did not answer");
            zk.addAuthInfo("digest", settings.get("digest").getAsString().getBytes(StandardCharsets.UTF_8));
            JsonObject line = Interop.event("registered");
            JsonArray consumers = new JsonArray();
            for (String service : services) {
                for (String child : zk.getChildren("/dubbo/" + service + "/consumers", false)) {
                    String url = URLDecoder.decode(child, StandardCharsets.UTF_8);
                    if (url.contains("application=" + application + "&")) consumers.add(url);
                }
            }
            line.add("consumers", consumers);
            return line;
        } finally {
            zk.close();
        }
    }
}
