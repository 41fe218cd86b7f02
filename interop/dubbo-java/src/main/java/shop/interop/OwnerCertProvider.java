package shop.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.extension.Activate;
import org.apache.dubbo.common.ssl.Cert;
import org.apache.dubbo.common.ssl.CertProvider;
import org.apache.dubbo.common.ssl.ProviderCert;

/**
 * The consumer's side of mutual TLS: this process's certificate, and a provider accepted only if
 * it presents the certificate of the service's owner (goods for shop.goods.v1.GoodsService), as
 * the shop's own clients require (docs/rpc.md, "Mutual TLS and callers").
 *
 * <p>Dubbo's client cannot check a provider's name: its SslClientTlsHandler makes the TLS engine
 * without a peer host (Netty 4.2 then fails every handshake with "Hostname or IP address is
 * undefined" unless -Dio.netty.handler.ssl.defaultEndpointVerificationAlgorithm=NONE, which the
 * test sets), and Dubbo's SslConfig gives one trust collection for every provider. Dubbo asks its
 * CertProviders for each connection's certificates with the provider's URL, so this one, first
 * in line, trusts for each connection the owner's own certificate alone: a provider of the CA
 * registered under a service it does not own fails the handshake. (A pin, not a name check: a
 * renewed owner certificate needs the file renewed, which the local CA does in place.)
 *
 * <p>The provider side is left to Dubbo's SslConfig (SSLConfigCertProvider, next in line).
 */
@Activate(order = -1000)
public class OwnerCertProvider implements CertProvider {
    private static volatile Settings settings;

    /** What the consumer presents and the owner certificate of each service it calls. */
    record Settings(Path cert, Path key, Map<String, Path> ownerCerts) {}

    static void configure(Settings consumerSettings) {
        settings = consumerSettings;
    }

    @Override
    public boolean isSupport(URL address) {
        return settings != null;
    }

    @Override
    public ProviderCert getProviderConnectionConfig(URL localAddress) {
        return null;
    }

    @Override
    public Cert getConsumerConnectionConfig(URL remoteAddress) {
        Settings current = settings;
        String service = remoteAddress.getServiceInterface();
        Path owner = current.ownerCerts().get(service);
        if (owner == null) throw new IllegalStateException("no owner certificate known for " + service + " (" + remoteAddress.getAddress() + ")");
        try {
            return new Cert(Files.readAllBytes(current.cert()), Files.readAllBytes(current.key()), Files.readAllBytes(owner));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the certificates for " + service, e);
        }
    }
}
