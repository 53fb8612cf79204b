package io.cse.ready;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Collectors;

/**
 * A {@link BeforeCheckpoint @BeforeCheckpoint} or {@link AfterRestore @AfterRestore}
 * method of one bean.
 */
final class HookMethod {

	private final String beanName;

	private final int beanIndex;

	private final Class<?> beanType;

	private final Method method;

	private final int order;

	/**
	 * Create a hook.
	 * @param beanName the name of the bean
	 * @param beanIndex the place of the bean in registration order
	 * @param beanType the bean's own class
	 * @param method the method, as declared on the bean's class
	 * @param order the order the annotation declares
	 */
	HookMethod(String beanName, int beanIndex, Class<?> beanType, Method method, int order) {
		this.beanName = beanName;
		this.beanIndex = beanIndex;
		this.beanType = beanType;
		this.method = method;
		this.order = order;
	}

	/** Ascending order, then registration order of the beans, then method name. */
	static final Comparator<HookMethod> EXECUTION_ORDER = Comparator.comparingInt(HookMethod::order)
		.thenComparingInt(HookMethod::beanIndex)
		.thenComparing((hook) -> hook.method().getName())
		.thenComparing((hook) -> signature(hook.method()));

	String beanName() {
		return this.beanName;
	}

	int beanIndex() {
		return this.beanIndex;
	}

	Class<?> beanType() {
		return this.beanType;
	}

	Method method() {
		return this.method;
	}

	int order() {
		return this.order;
	}

	String signature() {
		return signature(this.method);
	}

	@Override
	public String toString() {
		return this.beanType.getName() + "." + signature() + " of bean '" + this.beanName + "'";
	}

	static String signature(Method method) {
		return method.getName() + "(" + Arrays.stream(method.getParameterTypes())
			.map(Class::getSimpleName)
			.collect(Collectors.joining(", ")) + ")";
	}

}
