package io.cse.web;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.function.IntPredicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;

import org.springframework.context.ApplicationContext;

/**
 * Closes the idle keep-alive connections of an embedded Jetty 12 (Spring Boot 3.2 and
 * later), as {@link TomcatIdleConnectionCloser} does for Tomcat: every HTTP/1 connection
 * that has no request in flight or held by the {@link TrafficGate}, on which Jetty holds
 * no request and no unparsed bytes, and on which nothing was read or written for as long
 * as the gate asks. Connections of other protocols (HTTP/2) are left open: one of them
 * carries many requests at once, and Jetty does not tell when none is running.
 * <p>
 * Spring Boot 3 and 4 keep the web server in classes of different packages: it is reached
 * reflectively, and an application without an embedded Jetty 12 has nothing to close.
 * Older Jetty (Spring Boot 2.7 to 3.1) keeps its connections in classes of other packages;
 * the auto-configuration does not make this closer there.
 */
public class JettyIdleConnectionCloser implements IdleConnectionCloser {

	private static final Log logger = LogFactory.getLog(JettyIdleConnectionCloser.class);

	private final ApplicationContext applicationContext;

	/**
	 * Create a closer for the embedded Jetty of the given web application context.
	 * @param applicationContext the context that runs the web server
	 */
	public JettyIdleConnectionCloser(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public int closeIdleConnections(IntPredicate busy, Duration quietFor) {
		Server server = server();
		if (server == null) {
			return 0;
		}
		int closed = 0;
		for (Connector connector : server.getConnectors()) {
			if (connector instanceof AbstractConnector) {
				for (EndPoint endPoint : new ArrayList<>(((AbstractConnector) connector).getConnectedEndPoints())) {
					if (endPoint.isOpen() && !busy(endPoint, busy) && waitsForARequest(endPoint.getConnection())
							&& quietFor(endPoint, quietFor)) {
						endPoint.close();
						closed++;
					}
				}
			}
		}
		return closed;
	}

	/**
	 * Whether the traffic gate knows a request on the connection; a connection whose client
	 * port cannot be told is taken for busy.
	 */
	private static boolean busy(EndPoint endPoint, IntPredicate busy) {
		SocketAddress remote = endPoint.getRemoteSocketAddress();
		return !(remote instanceof InetSocketAddress) || busy.test(((InetSocketAddress) remote).getPort());
	}

	/**
	 * Whether Jetty waits for the connection's next request: it has no request of the
	 * connection (parsed, running, or answering) and no bytes of the next one read but
	 * not parsed yet. A request that Jetty works on before any filter saw it keeps its
	 * connection, whatever the traffic gate knows. TLS connections are looked into.
	 */
	private static boolean waitsForARequest(Connection connection) {
		if (connection instanceof SslConnection) {
			return waitsForARequest(((SslConnection) connection).getSslEndPoint().getConnection());
		}
		if (connection instanceof HttpConnection) {
			HttpConnection http = (HttpConnection) connection;
			return http.getHttpChannel().getRequest() == null && http.isRequestBufferEmpty();
		}
		return false;
	}

	/**
	 * Whether nothing was read from or written to the connection for a while: a client
	 * that keeps using its connection may be sending its next request on it right now (see
	 * {@link TomcatIdleConnectionCloser}). Jetty's end points count the time since their
	 * last read or write; one that does not cannot be told quiet.
	 */
	private static boolean quietFor(EndPoint endPoint, Duration quietFor) {
		return endPoint instanceof IdleTimeout && ((IdleTimeout) endPoint).getIdleFor() >= quietFor.toMillis();
	}

	private Server server() {
		try {
			return EmbeddedServers.find(this.applicationContext, "getServer", Server.class);
		}
		catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
			logger.debug("No embedded Jetty 12 found: idle connections are left open", ex);
			return null;
		}
	}

}
