package shop.interop;

import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * A TLS client that offers HTTP/2 in ALPN, as gRPC requires, for Dubbo's Triple consumer.
 *
 * <p>Dubbo 3.3.5 (and 3.3.6) builds its client SslContext without any application protocol
 * (SslContexts.buildClientSslContext; only the server side has ALPN), so a Triple consumer with
 * TLS never offers h2: grpc-js servers, like every gRPC server, answer such a connection
 * "HTTP/1.0 403" and Dubbo fails with "First received frame was not SETTINGS". Netty builds that
 * context on the JDK's SSLContext "TLS"; this provider, put first, hands out the JDK's own
 * context whose engines offer h2. A server engine keeps what Netty's ALPN configuration selects.
 */
public final class H2AlpnProvider extends Provider {
    private static final long serialVersionUID = 1L;

    private H2AlpnProvider() {
        super("ShopH2Alpn", "1.0", "SSLContext TLS whose client engines offer ALPN h2 (Dubbo Triple over TLS to gRPC servers)");
        putService(new Service(this, "SSLContext", "TLS", H2AlpnContext.class.getName(), null, null));
    }

    static void install() {
        Security.insertProviderAt(new H2AlpnProvider(), 1);
    }

    /** The JDK's TLS context, with h2 offered by every engine it makes. */
    public static final class H2AlpnContext extends SSLContextSpi {
        private final SSLContext jdk;

        public H2AlpnContext() throws NoSuchAlgorithmException, NoSuchProviderException {
            jdk = SSLContext.getInstance("TLS", "SunJSSE");
        }

        private static SSLEngine offeringH2(SSLEngine engine) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            engine.setSSLParameters(parameters);
            return engine;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) throws KeyManagementException {
            jdk.init(km, tm, random);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return offeringH2(jdk.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return offeringH2(jdk.createSSLEngine(host, port));
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return jdk.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return jdk.getServerSocketFactory();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return jdk.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return jdk.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return jdk.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return jdk.getSupportedSSLParameters();
        }
    }
}
