package io.cse.web;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.UnaryOperator;

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

	/**
	 * Add a customizer to a web server factory, if it is one that takes customizers through
	 * the given method. Spring Boot 3 and 4 keep the customizer interfaces in different
	 * packages, but name them and their adders alike: the customizer is made as a proxy of
	 * whatever interface the adder takes, whose one abstract method (the factory calls
	 * nothing else) hands its argument to {@code customize} and returns what that returns.
	 * @param factory the bean that may be a web server factory
	 * @param adder the name of the factory's method that takes customizers (varargs)
	 * @param customize what the customizer does to the server, builder or deployment
	 * @return whether the factory took the customizer
	 * @throws ReflectiveOperationException if the factory refuses the customizer
	 */
	static boolean addCustomizer(Object factory, String adder, UnaryOperator<Object> customize)
			throws ReflectiveOperationException {
		for (Method method : factory.getClass().getMethods()) {
			if (method.getName().equals(adder) && method.getParameterCount() == 1
					&& method.getParameterTypes()[0].isArray()
					&& method.getParameterTypes()[0].getComponentType().isInterface()) {
				Class<?> type = method.getParameterTypes()[0].getComponentType();
				Object customizer = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
						(proxy, invoked, args) -> {
							if (invoked.getDeclaringClass() == Object.class) {
								switch (invoked.getName()) {
									case "equals":
										return proxy == args[0];
									case "hashCode":
										return System.identityHashCode(proxy);
									default:
										return "CSE " + type.getSimpleName();
								}
							}
							if (args != null && args.length == 1 && !invoked.isDefault()) {
								return customize.apply(args[0]);
							}
							throw new UnsupportedOperationException(invoked.toString());
						});
				Object customizers = Array.newInstance(type, 1);
				Array.set(customizers, 0, customizer);
				method.invoke(factory, customizers);
				return true;
			}
		}
		return false;
	}

}
