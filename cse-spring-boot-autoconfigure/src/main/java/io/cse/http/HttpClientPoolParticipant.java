package io.cse.http;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Closes the idle keep-alive connections of the application's outbound HTTP clients, so
 * that a frozen instance holds no connection to another service and a snapshot carries
 * none: a restored instance, or a clone, would otherwise start with sockets that are dead
 * or, worse, shared with its template. Nothing is needed to resume: the pools open new
 * connections on demand.
 * <p>
 * Pools are found where a service keeps them: as beans, and inside the beans that use
 * them, however deep (a {@code RestTemplate}, a {@code RestClient} or a {@code WebClient}
 * in a field of a service, its request factory or connector, the library's client in
 * that, and the client's connection manager), since neither Spring nor the libraries
 * expose that chain on every version. Each library's pools are closed by its
 * {@link HttpClientPoolCloser}.
 * <p>
 * The JDK's {@code java.net.http.HttpClient} (behind Spring's {@code JdkClientHttpRequestFactory}
 * and {@code JdkClientHttpConnector}) cannot be reached: the JDK has no call that closes
 * its idle connections and leaves the client usable. Each one found is named in a warning,
 * once; its connections stay open while the instance is quiesced.
 */
public class HttpClientPoolParticipant implements CheckpointParticipant {

	private static final Log logger = LogFactory.getLog(HttpClientPoolParticipant.class);

	/**
	 * Deep enough for a {@code WebClient} in a field of a bean: client, its filter chain,
	 * exchange function, connector, the library's client, its connection manager.
	 */
	private static final int MAX_DEPTH = 8;

	/**
	 * The types the walk looks inside: Spring's HTTP clients and what they are built of, and
	 * the libraries' clients, which keep their pools in private fields. Nothing else is
	 * opened beyond the fields of the beans themselves.
	 */
	private static final String[] OPENED_PACKAGES = { "org.springframework.web.client.",
			"org.springframework.http.client.", "org.springframework.web.reactive.function.client.",
			"org.apache.hc.client5.http.impl.", "org.apache.http.impl.client.", "org.apache.http.impl.execchain." };

	private static final String JDK_HTTP_CLIENT = "java.net.http.HttpClient";

	private final ConfigurableListableBeanFactory beanFactory;

	private final List<HttpClientPoolCloser> closers;

	private final Class<?> jdkHttpClient;

	private final Set<String> reportedUnreachable = ConcurrentHashMap.newKeySet();

	/**
	 * Create a participant for the clients of the given factory's singletons.
	 * @param beanFactory the factory whose beans hold the clients
	 * @param closers the closers of the libraries on the class path
	 */
	public HttpClientPoolParticipant(ConfigurableListableBeanFactory beanFactory, List<HttpClientPoolCloser> closers) {
		this.beanFactory = beanFactory;
		this.closers = closers;
		// Absent on Java 8, where Spring Boot 2.7 services may run
		ClassLoader classLoader = HttpClientPoolParticipant.class.getClassLoader();
		this.jdkHttpClient = ClassUtils.isPresent(JDK_HTTP_CLIENT, classLoader)
				? ClassUtils.resolveClassName(JDK_HTTP_CLIENT, classLoader) : null;
	}

	@Override
	public String getName() {
		return "http-clients";
	}

	@Override
	public int getOrder() {
		return POOL_ORDER;
	}

	@Override
	public void quiesce(CheckpointContext context) {
		Walk walk = new Walk();
		for (String name : this.beanFactory.getSingletonNames()) {
			Object bean = this.beanFactory.getSingleton(name);
			if (bean == null || bean == this) {
				continue;
			}
			Object target = AopProxyUtils.getSingletonTarget(bean);
			walk.visit((target != null) ? target : bean, new Trail(null, "bean '" + name + "'"), 0);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Closed the idle connections of " + walk.pools + " outbound HTTP connection pool(s)");
		}
	}

	@Override
	public void resume(CheckpointContext context) {
		// The pools open new connections on demand
	}

	private void reportUnreachable(Trail trail) {
		String path = trail.toString();
		if (this.reportedUnreachable.add(path)) {
			logger.warn("The JDK HttpClient in " + path + " keeps its idle connections open while the instance is"
					+ " quiesced (the JDK has no call that closes them and leaves the client usable; they close after"
					+ " jdk.httpclient.keepalive.timeout, 1200 s by default): use Apache HttpClient or OkHttp for"
					+ " this client, or set -Djdk.httpclient.keepalive.timeout to a few seconds");
		}
	}

	private static boolean isOpened(Class<?> type) {
		String name = type.getName();
		for (String prefix : OPENED_PACKAGES) {
			if (name.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Where the walk found an object: a bean and the fields that lead from it, spelled out
	 * only for a warning.
	 */
	private static final class Trail {

		private final Trail parent;

		private final String name;

		Trail(Trail parent, String name) {
			this.parent = parent;
			this.name = name;
		}

		@Override
		public String toString() {
			return (this.parent != null) ? this.parent + " > " + this.name : this.name;
		}

	}

	/**
	 * One walk through the singletons, each object visited once.
	 */
	private final class Walk {

		private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());

		private int pools;

		void visit(Object value, Trail path, int depth) {
			if (!this.seen.add(value)) {
				return;
			}
			for (HttpClientPoolCloser closer : HttpClientPoolParticipant.this.closers) {
				if (closer.closeIdleConnections(value)) {
					this.pools++;
					return;
				}
			}
			Class<?> jdkHttpClient = HttpClientPoolParticipant.this.jdkHttpClient;
			if (jdkHttpClient != null && jdkHttpClient.isInstance(value)) {
				reportUnreachable(path);
				return;
			}
			if (depth == 0 || (depth < MAX_DEPTH && isOpened(value.getClass()))) {
				visitFields(value, path, depth);
			}
		}

		private void visitFields(Object owner, Trail path, int depth) {
			for (Class<?> type = owner.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
				if (type.getName().startsWith("java.")) {
					return; // the JDK's own classes are closed to reflection
				}
				// Spring caches each class's fields: every quiesce walks the same classes
				ReflectionUtils.doWithLocalFields(type, (field) -> {
					if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
						return;
					}
					Object value = read(field, owner);
					if (value != null && !(value instanceof String) && !(value instanceof Class)) {
						visit(value, new Trail(path, field.getName()), depth + 1);
					}
				});
			}
		}

		private Object read(Field field, Object owner) {
			try {
				ReflectionUtils.makeAccessible(field);
				return field.get(owner);
			}
			catch (IllegalAccessException | RuntimeException ex) {
				// A field of a class in a module that is not open: no HTTP client found there
				return null;
			}
		}

	}

}
