package shop.interop;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.constants.CommonConstants;
import org.apache.dubbo.common.utils.NetUtils;
import org.apache.dubbo.rpc.cluster.Configurator;
import org.apache.dubbo.rpc.cluster.ConfiguratorFactory;

/**
 * Makes a Triple provider that registers 127.0.0.1 listen on 127.0.0.1 only.
 *
 * <p>Dubbo treats every 127.x host as "no host given": it marks the URL {@code anyhost=true} and
 * its servers (NettyPortUnificationServer, AbstractServer) then bind 0.0.0.0, every interface of
 * the machine. ServiceConfig hands each provider URL to the ConfiguratorFactory named after its
 * protocol ("You can customize Configurator to append extra parameters"): this one, registered as
 * {@code tri}, turns {@code anyhost} off and names the IPv4-mapped loopback {@code ::ffff:127.0.0.1}
 * as the bind address, which Dubbo does not take for a local host (it does not start with "127.")
 * and Java resolves to the IPv4 address 127.0.0.1. The registry never sees {@code bind.ip}
 * (RegistryProtocol strips it); the registered host stays 127.0.0.1.
 */
public class LoopbackBindConfiguratorFactory implements ConfiguratorFactory {
    static final String LOOPBACK_BIND = "::ffff:127.0.0.1";

    @Override
    public Configurator getConfigurator(URL configuratorUrl) {
        return new Configurator() {
            @Override
            public URL getUrl() {
                return configuratorUrl;
            }

            @Override
            public URL configure(URL url) {
                if (!NetUtils.isLocalHost(url.getHost())) return url;
                return url.addParameter(CommonConstants.ANYHOST_KEY, "false").addParameter("bind.ip", LOOPBACK_BIND);
            }
        };
    }
}
