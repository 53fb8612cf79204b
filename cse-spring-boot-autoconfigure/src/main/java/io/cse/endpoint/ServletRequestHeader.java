package io.cse.endpoint;

import java.lang.reflect.Method;

import org.springframework.lang.Nullable;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Reads a header of the servlet request that the current thread handles, on the
 * {@code jakarta.servlet} of Spring Boot 3 and 4 and on the {@code javax.servlet} of
 * Spring Boot 2.7 alike. The request is the one Spring's {@code DispatcherServlet} holds
 * for the thread, on the application's port and on a management port of its own.
 * <p>
 * {@link ServletRequestAttributes#getRequest()} returns a type of one servlet API or the
 * other depending on the Spring Framework it runs on, so it is called reflectively: a
 * direct call compiled here would not link on Spring Framework 5.
 */
final class ServletRequestHeader {

	private static final boolean JAKARTA = ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest",
			ServletRequestHeader.class.getClassLoader());

	private static final boolean JAVAX = ClassUtils.isPresent("javax.servlet.http.HttpServletRequest",
			ServletRequestHeader.class.getClassLoader());

	private static final Method GET_REQUEST = ClassUtils.getMethod(ServletRequestAttributes.class, "getRequest");

	private ServletRequestHeader() {
	}

	/**
	 * Return a header of the current request.
	 * @param name the header's name
	 * @return its first value, or {@code null} if the request has none or the thread
	 * handles no servlet request
	 */
	@Nullable
	static String of(String name) {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		if (!(attributes instanceof ServletRequestAttributes)) {
			return null;
		}
		Object request;
		try {
			request = GET_REQUEST.invoke(attributes);
		}
		catch (ReflectiveOperationException ex) {
			return null;
		}
		if (JAKARTA && request instanceof jakarta.servlet.http.HttpServletRequest) {
			return ((jakarta.servlet.http.HttpServletRequest) request).getHeader(name);
		}
		if (JAVAX && request instanceof javax.servlet.http.HttpServletRequest) {
			return ((javax.servlet.http.HttpServletRequest) request).getHeader(name);
		}
		return null;
	}

}
