package io.cse.web;

import org.springframework.context.ApplicationContext;

/**
 * Finds the server behind a Spring Boot application's embedded web server. Spring Boot 3
 * and 4 keep {@code WebServerApplicationContext} and the web server classes in different
 * packages, but name the accessors alike: {@code getWebServer()}, then {@code getTomcat()}
 * or {@code getServer()} (Jetty).
 */
final class EmbeddedServers {

	private EmbeddedServers() {
	}

	/**
	 * Return the server of the given type behind the application's web server.
	 * @param applicationContext the application
	 * @param accessor the web server's accessor of the server, {@code getTomcat} or
	 * {@code getServer}
	 * @param type the server's type
	 * @param <T> the server's type
	 * @return the server, or {@code null} if the application runs no such server
	 * @throws ReflectiveOperationException if the application or its web server has no
	 * such accessor
	 */
	static <T> T find(ApplicationContext applicationContext, String accessor, Class<T> type)
			throws ReflectiveOperationException {
		Object webServer = applicationContext.getClass().getMethod("getWebServer").invoke(applicationContext);
		if (webServer == null) {
			return null;
		}
		Object server = webServer.getClass().getMethod(accessor).invoke(webServer);
		return type.isInstance(server) ? type.cast(server) : null;
	}

}
