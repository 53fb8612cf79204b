package io.cse.dubbo;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.cse.registry.ZookeeperSessions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.dubbo.remoting.zookeeper.curator5.ZookeeperClientManager;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;

import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Gives Dubbo's ZooKeeper clients sessions of their own in a clone (see
 * {@link ZookeeperSessions} for why and how). Dubbo keeps one client per registry address
 * and application: Dubbo 3.3 in its {@code ZookeeperClientManager}, Dubbo 3.0 to 3.2 in
 * its {@code ZookeeperTransporter} extension; which one this Dubbo has is found at run
 * time.
 */
class DubboZookeeperSessions {

	private static final Log logger = LogFactory.getLog(DubboZookeeperSessions.class);

	private static final String CURATOR_CLIENT = "org.apache.dubbo.remoting.zookeeper.curator5.Curator5ZookeeperClient";

	/** Dubbo 3.3's registry of ZooKeeper clients. */
	private static final String CLIENT_MANAGER = "org.apache.dubbo.remoting.zookeeper.curator5.ZookeeperClientManager";

	/** Dubbo 3.0 to 3.2's: the transporter extension that connected them. */
	private static final String TRANSPORTER = "org.apache.dubbo.remoting.zookeeper.ZookeeperTransporter";

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Drop the session of every ZooKeeper client of Dubbo and wait for the new ones.
	 * @param frameworks Dubbo's framework models
	 * @throws Exception if a client could not get a new session
	 */
	void renew(List<FrameworkModel> frameworks) throws Exception {
		ClassLoader classLoader = DubboZookeeperSessions.class.getClassLoader();
		if (!ClassUtils.isPresent(CURATOR_CLIENT, classLoader)) {
			return;
		}
		boolean clientManager = ClassUtils.isPresent(CLIENT_MANAGER, classLoader);
		long start = System.nanoTime();
		List<CuratorFramework> clients = new ArrayList<>();
		for (FrameworkModel framework : frameworks) {
			for (ApplicationModel application : framework.getApplicationModels()) {
				Collection<?> zookeeperClients = clientManager ? ClientManager.clients(application)
						: transporterClients(application, classLoader);
				for (Object client : zookeeperClients) {
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

	// Dubbo 3.0 to 3.2 have no ZookeeperClientManager: ZookeeperTransporter.getExtension(application)
	// returns the transporter, whose getZookeeperClientMap() holds the clients it connected
	private static Collection<?> transporterClients(ApplicationModel application, ClassLoader classLoader)
			throws ClassNotFoundException {
		Class<?> transporterType = ClassUtils.forName(TRANSPORTER, classLoader);
		Method getExtension = ReflectionUtils.findMethod(transporterType, "getExtension", ApplicationModel.class);
		if (getExtension == null) {
			throw unsupported(TRANSPORTER + ".getExtension(ApplicationModel)");
		}
		Object transporter = ReflectionUtils.invokeMethod(getExtension, null, application);
		Method getClientMap = (transporter != null)
				? ReflectionUtils.findMethod(transporter.getClass(), "getZookeeperClientMap") : null;
		if (getClientMap == null) {
			throw unsupported(((transporter != null) ? transporter.getClass().getName() : TRANSPORTER)
					+ ".getZookeeperClientMap()");
		}
		Map<?, ?> clients = (Map<?, ?>) ReflectionUtils.invokeMethod(getClientMap, transporter);
		return (clients != null) ? clients.values() : new ArrayList<>();
	}

	// Dubbo keeps its Curator client private: no public accessor in 3.2 or 3.3
	private static CuratorFramework curator(Object client) {
		if (!client.getClass().getName().equals(CURATOR_CLIENT)) {
			return null;
		}
		Field field = ReflectionUtils.findField(client.getClass(), "client", CuratorFramework.class);
		if (field == null) {
			throw unsupported(CURATOR_CLIENT + ".client");
		}
		ReflectionUtils.makeAccessible(field);
		return (CuratorFramework) ReflectionUtils.getField(field, client);
	}

	private static IllegalStateException unsupported(String member) {
		return new IllegalStateException("This Dubbo has no " + member + ", through which a clone's ZooKeeper clients "
				+ "are found, so the clone would keep the template's ZooKeeper session: use a Dubbo version CSE "
				+ "supports (3.2 or 3.3), or set cse.dubbo.enabled=false");
	}

	/**
	 * Dubbo 3.3's clients, in a class of its own: loaded only where Dubbo has its
	 * {@code ZookeeperClientManager}.
	 */
	private static final class ClientManager {

		static Collection<?> clients(ApplicationModel application) {
			return ZookeeperClientManager.getInstance(application).getZookeeperClientMap().values();
		}

	}

}
