package shop.interop;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every TCP socket this process holds, as the kernel lists them: a daemon thread reads
 * /proc/self/fd (socket inodes) and /proc/self/net/tcp and tcp6 every few milliseconds from start
 * to end and keeps each (state, local, remote) it sees, so that a connection opened and closed
 * between two reports is seen too. The test asserts that every one is on 127.0.0.1: what the
 * process did, not what Dubbo says it did.
 */
final class SocketWatch {
    private static final String[] STATES = {
        "", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
        "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"
    };

    private final Map<String, JsonObject> seen = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private int scans;

    private SocketWatch() {
        thread = new Thread(this::loop, "socket-watch");
        thread.setDaemon(true);
    }

    static SocketWatch start() {
        SocketWatch watch = new SocketWatch();
        watch.scan();
        watch.thread.start();
        return watch;
    }

    private void loop() {
        while (running) {
            scan();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void scan() {
        Set<String> inodes = socketInodes();
        for (String table : new String[] {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !inodes.contains(f[9])) continue;
                String state = STATES[Math.min(Integer.parseInt(f[3], 16), STATES.length - 1)];
                String local = address(f[1]);
                String remote = address(f[2]);
                String key = state + " " + local + " " + remote;
                if (seen.containsKey(key)) continue;
                JsonObject socket = new JsonObject();
                socket.addProperty("state", state);
                socket.addProperty("local", local);
                socket.addProperty("remote", remote);
                seen.put(key, socket);
            }
        }
        scans++;
    }

    private static Set<String> socketInodes() {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: nothing seen, which the test refuses (it expects the ZooKeeper connection)
        }
        return inodes;
    }

    /** "0100007F:0885" (little-endian IPv4) or 32 hex digits (IPv6, four little-endian words) to "ip:port". */
    static String address(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String ip = parts[0];
        if (ip.length() == 8) return ipv4(ip, 0) + ":" + port;
        // IPv6: an IPv4-mapped ::ffff:a.b.c.d is reported as a.b.c.d.
        if (ip.startsWith("0000000000000000FFFF0000")) return ipv4(ip, 24) + ":" + port;
        // Four 32-bit words, each in the host's (little-endian) order: eight groups of two bytes.
        List<String> groups = new ArrayList<>();
        for (int word = 0; word < 4; word++) {
            String w = ip.substring(word * 8, word * 8 + 8);
            groups.add(Integer.toHexString(Integer.parseInt(w.substring(6, 8) + w.substring(4, 6), 16)));
            groups.add(Integer.toHexString(Integer.parseInt(w.substring(2, 4) + w.substring(0, 2), 16)));
        }
        return "[" + String.join(":", groups) + "]:" + port;
    }

    private static String ipv4(String hex, int from) {
        List<String> bytes = new ArrayList<>();
        for (int i = from + 6; i >= from; i -= 2) bytes.add(String.valueOf(Integer.parseInt(hex.substring(i, i + 2), 16)));
        return String.join(".", bytes);
    }

    /** Stops watching after one last look and answers every socket seen. */
    synchronized JsonObject report() {
        running = false;
        scan();
        JsonObject report = new JsonObject();
        JsonArray sockets = new JsonArray();
        seen.values().forEach(sockets::add);
        report.add("sockets", sockets);
        report.addProperty("scans", scans);
        return report;
    }
}
