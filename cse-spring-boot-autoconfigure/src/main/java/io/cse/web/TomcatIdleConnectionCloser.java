package io.cse.web;

import java.lang.reflect.Method;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

import org.springframework.context.ApplicationContext;

/**
 * Closes the idle keep-alive connections of an embedded Tomcat: every connection that has
 * no request in flight or held by the {@link TrafficGate}, on which Tomcat waits for the
 * next request, and which has been quiet for as long as the gate asks. A request Tomcat has begun to work
 * on keeps its connection, even before the gate sees it, and its answer arrives; a
 * connection in steady use stays open, and its next request is held at the gate.
 * <p>
 * A client that sends a request on a keep-alive connection quiet for that long at the very
 * moment it is closed, before Tomcat has read it, sees the connection end before any
 * answer, and the request was not run; HTTP clients retry idempotent requests in that
 * case, as they do when a server's keep-alive timeout expires.
 * <p>
 * Spring Boot 3 and 4 keep the web server in classes of different packages, and Tomcat
 * keeps a protocol's connections behind a protected accessor; both are reached
 * reflectively here, in this one class, and a server that does not match is left alone.
 */
public class TomcatIdleConnectionCloser implements IdleConnectionCloser {

	private static final Log logger = LogFactory.getLog(TomcatIdleConnectionCloser.class);


	private final ApplicationContext applicationContext;

	/**
	 * Create a closer for the embedded Tomcat of the given web application context.
	 * @param applicationContext the context that runs the web server
	 */
	public TomcatIdleConnectionCloser(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public int closeIdleConnections(IntPredicate busy, Duration quietFor) {
		int closed = 0;
		for (AbstractEndpoint<?, ?> endpoint : endpoints()) {
			for (SocketWrapperBase<?> connection : new ArrayList<>(endpoint.getConnections())) {
				if (!connection.isClosed() && !busy.test(connection.getRemotePort()) && waitsForARequest(connection)
						&& quietSince(connection, System.currentTimeMillis() - quietFor.toMillis())) {
					connection.close();
					closed++;
				}
			}
		}
		return closed;
	}

	/**
	 * Whether nothing was read from or written to the connection since a time. A client
	 * that keeps using its connection may be sending its next request on it right now,
	 * before Tomcat sees a byte: closed then, that request is lost (a client may not send a
	 * POST again on its own), as a soak under steady load showed. Left open, its next
	 * request is held at the gate and served after the thaw, like one on a new connection.
	 * A connection quiet for a while is one that a client's pool keeps idle, which is what
	 * closing is for: the client connects again, through whatever routes it, instead of
	 * waiting on a frozen instance. Tomcat keeps the times in its own clock
	 * ({@code System.currentTimeMillis()}); other connectors than NIO cannot tell.
	 */
	private static boolean quietSince(SocketWrapperBase<?> connection, long since) {
		if (connection instanceof NioEndpoint.NioSocketWrapper) {
			NioEndpoint.NioSocketWrapper nio = (NioEndpoint.NioSocketWrapper) connection;
			return Math.max(nio.getLastRead(), nio.getLastWrite()) <= since;
		}
		return true;
	}

	/**
	 * Whether Tomcat waits for the connection's next request: its poller watches it for
	 * reading. A connection whose request a worker thread has taken (parsing it, running it
	 * before any filter saw it, or writing its answer) is not watched, and is not idle,
	 * whatever the traffic gate knows. Other connectors than NIO (NIO2, APR) cannot tell.
	 */
	private static boolean waitsForARequest(SocketWrapperBase<?> connection) {
		if (connection instanceof NioEndpoint.NioSocketWrapper) {
			return ((NioEndpoint.NioSocketWrapper) connection).interestOpsHas(SelectionKey.OP_READ);
		}
		return true;
	}

	private List<AbstractEndpoint<?, ?>> endpoints() {
		List<AbstractEndpoint<?, ?>> endpoints = new ArrayList<>();
		Tomcat tomcat = tomcat();
		if (tomcat == null) {
			return endpoints;
		}
		for (Connector connector : tomcat.getService().findConnectors()) {
			ProtocolHandler handler = connector.getProtocolHandler();
			if (handler instanceof AbstractProtocol<?>) {
				AbstractEndpoint<?, ?> endpoint = endpoint((AbstractProtocol<?>) handler);
				if (endpoint != null) {
					endpoints.add(endpoint);
				}
			}
		}
		return endpoints;
	}

	private Tomcat tomcat() {
		try {
			return EmbeddedServers.find(this.applicationContext, "getTomcat", Tomcat.class);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("No embedded Tomcat found: idle connections are left open", ex);
			return null;
		}
	}

	private static AbstractEndpoint<?, ?> endpoint(AbstractProtocol<?> protocol) {
		try {
			Method getEndpoint = AbstractProtocol.class.getDeclaredMethod("getEndpoint");
			getEndpoint.setAccessible(true);
			return (AbstractEndpoint<?, ?>) getEndpoint.invoke(protocol);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("Cannot reach the connections of " + protocol + ": idle connections are left open", ex);
			return null;
		}
	}

}
