package io.cse.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooKeeper;

/**
 * Gives a clone's ZooKeeper clients sessions of their own.
 * <p>
 * A clone is a copy of the template's memory: its Curator clients hold the template's
 * session id and password, and reconnect with them. Nodes the clone then creates would
 * belong to the template's session, the two processes would take the session from each
 * other on every reconnect, and whichever closed it first would delete the other's
 * ephemeral nodes.
 * <p>
 * Closing the old handle is no way out: once the clone has reconnected, a close sends
 * {@code closeSession} for the template's session, which deletes the template's own
 * nodes. Instead each handle is made to believe locally that its session expired
 * (ZooKeeper's {@code Testable.injectSessionExpiration()}: the socket is dropped and
 * nothing is sent to the server). Curator then opens a new handle with a new session, and
 * its listeners recover what they had, as after any expiry.
 * <p>
 * Before it connects, ZooKeeper's client looks the server's address up in DNS for SASL,
 * even when no SASL is configured: in a clone's network namespace without a reachable name
 * server that waits for the resolver's timeout (20 s on the test machine). Applications
 * that do not use SASL with ZooKeeper should run with {@code -Dzookeeper.sasl.client=false}.
 */
public final class ZookeeperSessions {

	private ZookeeperSessions() {
	}

	/**
	 * Drop the current session of every given client, and wait until each has a new one.
	 * @param clients the clients, each once
	 * @param timeout how long each client may take to connect with its new session
	 * @throws InterruptedException if interrupted while waiting
	 * @throws IllegalStateException if a client got no new session in time
	 */
	public static void renew(List<CuratorFramework> clients, Duration timeout) throws Exception {
		List<Long> oldSessions = new ArrayList<>();
		for (CuratorFramework client : clients) {
			ZooKeeper zooKeeper = client.getZookeeperClient().getZooKeeper();
			oldSessions.add(zooKeeper.getSessionId());
			zooKeeper.getTestable().injectSessionExpiration();
		}
		for (int i = 0; i < clients.size(); i++) {
			awaitNewSession(clients.get(i), oldSessions.get(i), timeout);
		}
	}

	private static void awaitNewSession(CuratorFramework client, long oldSession, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			// Curator replaces the handle on its event thread: wait until it has, and connected
			if (client.getZookeeperClient().blockUntilConnectedOrTimedOut()) {
				long session = client.getZookeeperClient().getZooKeeper().getSessionId();
				if (session != 0 && session != oldSession) {
					return;
				}
			}
			if (Thread.interrupted()) {
				throw new InterruptedException("Interrupted while waiting for a new ZooKeeper session");
			}
			// A short pause between checks of a state that Curator changes on its own thread
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
		throw new IllegalStateException("The ZooKeeper client of " + client.getZookeeperClient()
			.getCurrentConnectionString() + " got no session of its own within " + timeout.getSeconds()
				+ " s: is the registry reachable from the clone?");
	}

}
