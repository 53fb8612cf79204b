package io.cse.ready;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Collectors;

/**
 * A {@link BeforeCheckpoint @BeforeCheckpoint} or {@link AfterRestore @AfterRestore}
 * method of one bean.
 *
 * @param beanName the name of the bean
 * @param beanIndex the place of the bean in registration order
 * @param beanType the bean's own class
 * @param method the method, as declared on the bean's class
 * @param order the order the annotation declares
 */
record HookMethod(String beanName, int beanIndex, Class<?> beanType, Method method, int order) {

	/** Ascending order, then registration order of the beans, then method name. */
	static final Comparator<HookMethod> EXECUTION_ORDER = Comparator.comparingInt(HookMethod::order)
		.thenComparingInt(HookMethod::beanIndex)
		.thenComparing((hook) -> hook.method().getName())
		.thenComparing((hook) -> signature(hook.method()));

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
