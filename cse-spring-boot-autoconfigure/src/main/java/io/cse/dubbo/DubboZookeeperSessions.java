package io.cse.dubbo;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.dubbo.remoting.zookeeper.curator5.ZookeeperClient;
import org.apache.dubbo.remoting.zookeeper.curator5.ZookeeperClientManager;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.apache.zookeeper.ZooKeeper;

import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Gives Dubbo's ZooKeeper clients sessions of their own in a clone.
 * <p>
 * A clone is a copy of the template's memory: its ZooKeeper clients hold the template's
 * session id, and reconnect with it. Ephemeral nodes the clone created under that session
 * would belong to the template too, and vanish with whichever of them closes it first.
 * <p>
 * Closing the old handle is no way out: a close sends {@code closeSession} for the
 * template's session if the client has already reconnected, which deletes the
 * template's own nodes. Instead, each handle is made to believe locally that its session
 * expired (ZooKeeper's {@code Testable.injectSessionExpiration()}: the socket is dropped
 * and nothing is sent to the server); Curator then opens a new handle, and with it a new
 * session, and Dubbo's own listener recovers its subscriptions on that session.
 * <p>
 * Before it connects, ZooKeeper's client looks the server's address up in DNS (for SASL,
 * even when no SASL is configured): in a clone's network namespace without a reachable
 * name server that takes the resolver's timeout, 20 s on the test machine. Applications
 * that do not use SASL with ZooKeeper should run with {@code -Dzookeeper.sasl.client=false}.
 */
class DubboZookeeperSessions {

	private static final Log logger = LogFactory.getLog(DubboZookeeperSessions.class);

	private static final String CURATOR_CLIENT = "org.apache.dubbo.remoting.zookeeper.curator5.Curator5ZookeeperClient";

	private static final long CONNECT_TIMEOUT_SECONDS = 30;

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
		List<CuratorFramework> renewed = new ArrayList<>();
		List<Long> oldSessions = new ArrayList<>();
		for (FrameworkModel framework : frameworks) {
			for (ApplicationModel application : framework.getApplicationModels()) {
				for (ZookeeperClient client : ZookeeperClientManager.getInstance(application)
					.getZookeeperClientMap()
					.values()) {
					CuratorFramework curator = curator(client);
					if (curator == null || renewed.contains(curator)) {
						continue;
					}
					ZooKeeper zooKeeper = curator.getZookeeperClient().getZooKeeper();
					oldSessions.add(zooKeeper.getSessionId());
					zooKeeper.getTestable().injectSessionExpiration();
					renewed.add(curator);
				}
			}
		}
		for (int i = 0; i < renewed.size(); i++) {
			CuratorFramework curator = renewed.get(i);
			awaitNewSession(curator, oldSessions.get(i));
		}
		if (!renewed.isEmpty()) {
			logger.info("Renewed the session of " + renewed.size() + " Dubbo ZooKeeper client(s) in this clone in "
					+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
		}
	}

	private static void awaitNewSession(CuratorFramework curator, long oldSession) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONNECT_TIMEOUT_SECONDS);
		while (System.nanoTime() < deadline) {
			// Curator replaces the handle on its event thread: wait until it has, and connected
			if (curator.getZookeeperClient().blockUntilConnectedOrTimedOut()) {
				long session = curator.getZookeeperClient().getZooKeeper().getSessionId();
				if (session != 0 && session != oldSession) {
					return;
				}
			}
			if (Thread.interrupted()) {
				Thread.currentThread().interrupt();
				throw new InterruptedException("Interrupted while waiting for a new ZooKeeper session");
			}
			// A short pause between checks of a state that Curator changes on its own thread
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
		throw new IllegalStateException("Dubbo's ZooKeeper client for " + curator.getZookeeperClient()
			.getCurrentConnectionString() + " got no session of its own within " + CONNECT_TIMEOUT_SECONDS
				+ " s: is the registry reachable from the clone?");
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
