package io.cse.web;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http.HttpServerConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Closes the idle keep-alive connections of an embedded Undertow (Spring Boot 3; Spring
 * Boot 4 has no Undertow), as {@link TomcatIdleConnectionCloser} does for Tomcat.
 * <p>
 * Undertow keeps no list of its connections: a handler put in front of every deployment's
 * handler chain notes each HTTP/1 connection at its first request, counts its requests
 * from the moment Undertow hands them over until their exchange completes, and the time of
 * the last of those moments; a connection is forgotten when it closes. A connection is
 * closed if it has no request running, none in flight or held by the {@link TrafficGate},
 * and has been quiet for as long as the gate asks. A connection that never carried a
 * request is not known, and is left to Undertow's own timeouts, as are HTTP/2
 * connections, which carry many requests at once.
 * <p>
 * The handler reaches the servlet deployment through a customizer of the servlet web
 * server factory, added here as the factory bean is made: Spring Boot keeps the
 * customizer's interface in a package of its own, which is reached reflectively.
 */
public class UndertowIdleConnectionCloser implements IdleConnectionCloser, BeanPostProcessor {

	private static final Log logger = LogFactory.getLog(UndertowIdleConnectionCloser.class);

	private final Map<ServerConnection, Activity> connections = new ConcurrentHashMap<>();

	private final HandlerWrapper tracking = (next) -> (exchange) -> track(exchange, next);

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		try {
			EmbeddedServers.addCustomizer(bean, "addDeploymentInfoCustomizers", (deployment) -> {
				addHandlerChainWrapper(deployment);
				return null;
			});
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("Cannot follow the connections of " + beanName + ": idle connections are left open", ex);
		}
		return bean;
	}

	private void addHandlerChainWrapper(Object deployment) {
		try {
			deployment.getClass()
				.getMethod("addInitialHandlerChainWrapper", HandlerWrapper.class)
				.invoke(deployment, this.tracking);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Cannot follow the connections of " + deployment, ex);
		}
	}

	private void track(HttpServerExchange exchange, HttpHandler next) throws Exception {
		ServerConnection connection = exchange.getConnection();
		if (connection instanceof HttpServerConnection && !exchange.isComplete()) {
			Activity activity = this.connections.computeIfAbsent(connection, (opened) -> {
				opened.addCloseListener(this.connections::remove);
				return new Activity();
			});
			activity.begin();
			exchange.addExchangeCompleteListener((completed, nextListener) -> {
				activity.end();
				nextListener.proceed();
			});
			if (!connection.isOpen()) {
				// Closed before its close listener was added: forget it here
				this.connections.remove(connection);
			}
		}
		next.handleRequest(exchange);
	}

	@Override
	public int closeIdleConnections(IntPredicate busy, Duration quietFor) {
		long quietSince = System.nanoTime() - quietFor.toNanos();
		int closed = 0;
		for (Map.Entry<ServerConnection, Activity> entry : this.connections.entrySet()) {
			ServerConnection connection = entry.getKey();
			InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
			if (connection.isOpen() && peer != null && !busy.test(peer.getPort())
					&& entry.getValue().quietSince(quietSince)) {
				closeQuietly(connection);
				closed++;
			}
		}
		return closed;
	}

	private static void closeQuietly(ServerConnection connection) {
		try {
			connection.close();
		}
		catch (Exception ex) {
			logger.debug("Could not close " + connection, ex);
		}
	}

	/** What is known of a connection's requests: how many run, and when the last began or ended. */
	private static final class Activity {

		private int running;

		private long last = System.nanoTime();

		synchronized void begin() {
			this.running++;
			this.last = System.nanoTime();
		}

		synchronized void end() {
			this.running--;
			this.last = System.nanoTime();
		}

		synchronized boolean quietSince(long since) {
			return this.running == 0 && this.last - since <= 0;
		}

	}

}
