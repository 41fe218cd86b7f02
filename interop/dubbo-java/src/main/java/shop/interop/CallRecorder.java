package shop.interop;

import org.apache.dubbo.common.constants.CommonConstants;
import org.apache.dubbo.common.extension.Activate;
import org.apache.dubbo.rpc.Filter;
import org.apache.dubbo.rpc.Invocation;
import org.apache.dubbo.rpc.Invoker;
import org.apache.dubbo.rpc.Result;
import org.apache.dubbo.rpc.RpcException;

/**
 * A consumer filter on each provider's invoker (Dubbo wraps every provider invoker with the
 * consumer filters): the provider address a call went to, and the trailers it came back with
 * (the shop's x-error-code), for the consumer's JSON line. Calls are made one at a time.
 */
@Activate(group = CommonConstants.CONSUMER, order = Integer.MAX_VALUE)
public class CallRecorder implements Filter, Filter.Listener {
    static volatile String provider;
    static volatile Object errorCode;

    static void reset() {
        provider = null;
        errorCode = null;
    }

    @Override
    public Result invoke(Invoker<?> invoker, Invocation invocation) throws RpcException {
        provider = invoker.getUrl().getAddress();
        return invoker.invoke(invocation);
    }

    @Override
    public void onResponse(Result appResponse, Invoker<?> invoker, Invocation invocation) {
        errorCode = appResponse.getObjectAttachment("x-error-code");
    }

    @Override
    public void onError(Throwable t, Invoker<?> invoker, Invocation invocation) {}
}
