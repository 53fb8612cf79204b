package io.cse.compat;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.samples.zookeeper.ZookeeperProcess;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.dubbo.common.URL;
import org.apache.zookeeper.KeeperException;

/**
 * The registry cells' one ZooKeeper server (the embedded-zookeeper sample, in a process of
 * its own), and what the services registered in it, read from ZooKeeper's own nodes: the
 * instance nodes that Spring Cloud Zookeeper keeps under {@code /services/<name>}, and the
 * provider nodes that Dubbo keeps under {@code /<group>/<interface>/providers}.
 */
final class RegistryNodes implements AutoCloseable {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final ZookeeperProcess server;

	private final CuratorFramework client;

	private RegistryNodes(ZookeeperProcess server, CuratorFramework client) {
		this.server = server;
		this.client = client;
	}

	/**
	 * Start a server from the jar named by the system property
	 * {@value ZookeeperProcess#JAR_PROPERTY} (failsafe sets it), and connect to it.
	 * @return the running server and a client of it
	 */
	static RegistryNodes start() throws IOException, InterruptedException {
		ZookeeperProcess server = ZookeeperProcess.start();
		CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString("127.0.0.1"),
				new RetryOneTime(100));
		try {
			client.start();
			client.blockUntilConnected();
		}
		catch (InterruptedException | RuntimeException ex) {
			client.close();
			server.close();
			throw ex;
		}
		return new RegistryNodes(server, client);
	}

	/**
	 * Return the server's connect string on the loopback address.
	 * @return {@code 127.0.0.1:port}
	 */
	String connectString() {
		return this.server.getConnectString("127.0.0.1");
	}

	/**
	 * Return the instances of a service that Spring Cloud Zookeeper registered.
	 * @param service the service's name ({@code spring.application.name})
	 * @return the instance nodes under {@code /services/<service>}
	 */
	List<Instance> springCloudInstances(String service) throws Exception {
		String path = "/services/" + service;
		List<Instance> instances = new ArrayList<>();
		for (String child : children(path)) {
			byte[] data = data(path + "/" + child);
			if (data != null) {
				JsonNode instance = JSON.readTree(data);
				instances.add(new Instance(instance.path("id").asText(), instance.path("address").asText(),
						instance.path("port").asInt()));
			}
		}
		return instances;
	}

	/**
	 * Return the provider URLs that Dubbo's interface-level registration keeps for an
	 * interface.
	 * @param group the registry's group: the root of Dubbo's nodes
	 * @param service the interface's name
	 * @return the provider nodes under {@code /<group>/<service>/providers}, decoded
	 */
	List<URL> dubboProviders(String group, String service) throws Exception {
		List<URL> providers = new ArrayList<>();
		for (String child : children("/" + group + "/" + service + "/providers")) {
			providers.add(URL.valueOf(URLDecoder.decode(child, StandardCharsets.UTF_8)));
		}
		return providers;
	}

	private List<String> children(String path) throws Exception {
		return (this.client.checkExists().forPath(path) != null) ? this.client.getChildren().forPath(path) : List.of();
	}

	private byte[] data(String path) throws Exception {
		try {
			return this.client.getData().forPath(path);
		}
		catch (KeeperException.NoNodeException ex) {
			// Deregistered between the listing and the read
			return null;
		}
	}

	@Override
	public void close() {
		this.client.close();
		this.server.close();
	}

	/**
	 * A Spring Cloud Zookeeper instance node, as its JSON data describes it.
	 *
	 * @param id the instance id (the node's name)
	 * @param address the address it registered
	 * @param port the port it registered
	 */
	record Instance(String id, String address, int port) {
	}

}
