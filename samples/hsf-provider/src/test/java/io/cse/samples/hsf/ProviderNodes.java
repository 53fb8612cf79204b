package io.cse.samples.hsf;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.dubbo.common.URL;
import org.apache.zookeeper.data.Stat;

/**
 * Reads, from ZooKeeper itself, the provider nodes that Dubbo's interface-level
 * registration keeps for {@link HelloWorldService}.
 */
final class ProviderNodes implements AutoCloseable {

	static final String PROVIDERS = "/dubbo/" + HelloWorldService.class.getName() + "/providers";

	private final CuratorFramework client;

	ProviderNodes(String connectString) throws InterruptedException {
		this.client = CuratorFrameworkFactory.newClient(connectString, new RetryOneTime(100));
		this.client.start();
		this.client.blockUntilConnected();
	}

	/**
	 * Return the provider nodes there are now.
	 * @return every provider node, as the URL it holds and the session that owns it
	 */
	List<Node> list() throws Exception {
		if (this.client.checkExists().forPath(PROVIDERS) == null) {
			return List.of();
		}
		List<Node> nodes = new ArrayList<>();
		for (String child : this.client.getChildren().forPath(PROVIDERS)) {
			Stat stat = this.client.checkExists().forPath(PROVIDERS + "/" + child);
			if (stat != null) {
				nodes.add(new Node(URL.valueOf(URLDecoder.decode(child, StandardCharsets.UTF_8)),
						stat.getEphemeralOwner()));
			}
		}
		return nodes;
	}

	@Override
	public void close() {
		this.client.close();
	}

	/**
	 * A provider node.
	 *
	 * @param url the provider URL it holds
	 * @param session the ZooKeeper session that owns it (ephemeral)
	 */
	record Node(URL url, long session) {

		String instanceId() {
			return this.url.getParameter("cse-instance");
		}

		String address() {
			return this.url.getAddress();
		}

	}

}
