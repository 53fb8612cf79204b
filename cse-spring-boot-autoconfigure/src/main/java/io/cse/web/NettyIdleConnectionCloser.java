package io.cse.web;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Closes the idle keep-alive connections of the Reactor Netty server of a WebFlux
 * application, as {@link TomcatIdleConnectionCloser} does for Tomcat.
 * <p>
 * Reactor Netty keeps no list of its connections: a handler put in every HTTP/1
 * connection's pipeline, behind the HTTP codec, notes the connection while it is open,
 * counts its requests from their head until the last part of their response is written,
 * and the time of its last read or write. A connection is closed if it has no request
 * running, none in flight or held by the {@link TrafficGate}, and has been quiet for as
 * long as the gate asks. HTTP/2 connections, which carry many requests at once, are left
 * open.
 * <p>
 * The handler reaches the server through a customizer of the reactive web server factory,
 * added here as the factory bean is made: Spring Boot 3 and 4 keep the customizer's
 * interface in different packages, and it is reached reflectively.
 */
public class NettyIdleConnectionCloser implements IdleConnectionCloser, BeanPostProcessor {

	private static final Log logger = LogFactory.getLog(NettyIdleConnectionCloser.class);

	private static final String HANDLER_NAME = "cse.idleConnections";

	private final Map<Channel, Activity> connections = new ConcurrentHashMap<>();

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		try {
			EmbeddedServers.addCustomizer(bean, "addServerCustomizers", (server) -> track((HttpServer) server));
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("Cannot follow the connections of " + beanName + ": idle connections are left open", ex);
		}
		return bean;
	}

	private HttpServer track(HttpServer server) {
		return server.doOnChannelInit((observer, channel, remoteAddress) -> {
			ChannelPipeline pipeline = channel.pipeline();
			// Reactor Netty names the HTTP/1 codec alike on every version; other protocols are
			// not followed
			if (pipeline.get(NettyPipeline.HttpCodec) != null && pipeline.get(HANDLER_NAME) == null) {
				pipeline.addAfter(NettyPipeline.HttpCodec, HANDLER_NAME, new Tracker());
			}
		});
	}

	@Override
	public int closeIdleConnections(IntPredicate busy, Duration quietFor) {
		long quietSince = System.nanoTime() - quietFor.toNanos();
		int closed = 0;
		for (Map.Entry<Channel, Activity> entry : this.connections.entrySet()) {
			Channel channel = entry.getKey();
			SocketAddress peer = channel.remoteAddress();
			if (channel.isActive() && peer instanceof InetSocketAddress
					&& !busy.test(((InetSocketAddress) peer).getPort()) && entry.getValue().quietSince(quietSince)) {
				channel.close();
				closed++;
			}
		}
		return closed;
	}

	/** Follows one connection: its requests and its last read or write. */
	private final class Tracker extends ChannelDuplexHandler {

		private final Activity activity = new Activity();

		@Override
		public void handlerAdded(ChannelHandlerContext context) {
			NettyIdleConnectionCloser.this.connections.put(context.channel(), this.activity);
			if (!context.channel().isOpen()) {
				NettyIdleConnectionCloser.this.connections.remove(context.channel());
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext context) throws Exception {
			NettyIdleConnectionCloser.this.connections.remove(context.channel());
			super.channelInactive(context);
		}

		@Override
		public void handlerRemoved(ChannelHandlerContext context) {
			NettyIdleConnectionCloser.this.connections.remove(context.channel());
		}

		@Override
		public void channelRead(ChannelHandlerContext context, Object message) throws Exception {
			this.activity.read(message instanceof HttpRequest);
			super.channelRead(context, message);
		}

		@Override
		public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) throws Exception {
			// A response ends with its last content; a full response is one too
			boolean ends = message instanceof LastHttpContent
					&& !(message instanceof HttpResponse && isInterim((HttpResponse) message));
			this.activity.wrote(ends);
			super.write(context, message, promise);
		}

		private boolean isInterim(HttpResponse response) {
			return response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
		}

	}

	/** What is known of a connection's requests: how many run, and when it last read or wrote. */
	private static final class Activity {

		private int running;

		private long last = System.nanoTime();

		synchronized void read(boolean requestBegins) {
			if (requestBegins) {
				this.running++;
			}
			this.last = System.nanoTime();
		}

		synchronized void wrote(boolean responseEnds) {
			if (responseEnds && this.running > 0) {
				this.running--;
			}
			this.last = System.nanoTime();
		}

		synchronized boolean quietSince(long since) {
			return this.running == 0 && this.last - since <= 0;
		}

	}

}
