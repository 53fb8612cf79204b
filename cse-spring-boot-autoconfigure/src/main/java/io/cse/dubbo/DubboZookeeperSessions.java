package io.cse.dubbo;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.cse.registry.ZookeeperSessions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.dubbo.remoting.zookeeper.curator5.ZookeeperClient;
import org.apache.dubbo.remoting.zookeeper.curator5.ZookeeperClientManager;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;

import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Gives Dubbo's ZooKeeper clients sessions of their own in a clone (see
 * {@link ZookeeperSessions} for why and how). Dubbo keeps its clients in its
 * {@code ZookeeperClientManager}, one per registry address and application.
 */
class DubboZookeeperSessions {

	private static final Log logger = LogFactory.getLog(DubboZookeeperSessions.class);

	private static final String CURATOR_CLIENT = "org.apache.dubbo.remoting.zookeeper.curator5.Curator5ZookeeperClient";

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Drop the session of every ZooKeeper client of Dubbo and wait for the new ones.
	 * @param frameworks Dubbo's framework models
	 * @throws Exception if a client could not get a new session
	 */
	void renew(List<FrameworkModel> frameworks) throws Exception {
		if (!ClassUtils.isPresent(CURATOR_CLIENT, DubboZookeeperSessions.class.getClassLoader())) {
			return;
		}
		long start = System.nanoTime();
		List<CuratorFramework> clients = new ArrayList<>();
		for (FrameworkModel framework : frameworks) {
			for (ApplicationModel application : framework.getApplicationModels()) {
				for (ZookeeperClient client : ZookeeperClientManager.getInstance(application)
					.getZookeeperClientMap()
					.values()) {
					CuratorFramework curator = curator(client);
					if (curator != null && !clients.contains(curator)) {
						clients.add(curator);
					}
				}
			}
		}
		ZookeeperSessions.renew(clients, CONNECT_TIMEOUT);
		if (!clients.isEmpty()) {
			logger.info("Renewed the session of " + clients.size() + " Dubbo ZooKeeper client(s) in this clone in "
					+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
		}
	}

	// Dubbo keeps its Curator client private: no public accessor in 3.3
	private static CuratorFramework curator(ZookeeperClient client) {
		if (!client.getClass().getName().equals(CURATOR_CLIENT)) {
			return null;
		}
		Field field = ReflectionUtils.findField(client.getClass(), "client", CuratorFramework.class);
		if (field == null) {
			throw new IllegalStateException(client.getClass().getName() + " has no Curator client field, so a clone "
					+ "would keep the template's ZooKeeper session: use the Dubbo version CSE supports (3.3)");
		}
		ReflectionUtils.makeAccessible(field);
		return (CuratorFramework) ReflectionUtils.getField(field, client);
	}

}
