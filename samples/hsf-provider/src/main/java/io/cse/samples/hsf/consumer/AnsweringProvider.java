package io.cse.samples.hsf.consumer;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.constants.CommonConstants;
import org.apache.dubbo.common.extension.Activate;
import org.apache.dubbo.rpc.Filter;
import org.apache.dubbo.rpc.Invocation;
import org.apache.dubbo.rpc.Invoker;
import org.apache.dubbo.rpc.Result;
import org.apache.dubbo.rpc.RpcException;

/**
 * A consumer-side Dubbo filter that remembers, for the calling thread, which provider
 * answered its last call: Dubbo clears its own call context once a call returns.
 */
@Activate(group = CommonConstants.CONSUMER)
public class AnsweringProvider implements Filter {

	private static final ThreadLocal<URL> last = new ThreadLocal<>();

	@Override
	public Result invoke(Invoker<?> invoker, Invocation invocation) throws RpcException {
		last.set(invoker.getUrl());
		return invoker.invoke(invocation);
	}

	/**
	 * Return the URL of the provider that the calling thread's last call went to.
	 * @return the provider's URL, as the registry published it, or {@code null}
	 */
	public static URL last() {
		return last.get();
	}

}
