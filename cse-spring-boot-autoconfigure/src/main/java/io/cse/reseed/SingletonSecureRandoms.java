package io.cse.reseed;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.cse.entropy.Reseeder;
import io.cse.entropy.SecureRandomReseeder;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Finds the {@link SecureRandom} instances that the singleton beans of an application hold
 * in their fields, and in the static fields of their classes (and superclasses).
 * <p>
 * Only fields of the beans themselves are read, not of the objects they refer to; a
 * generator kept deeper (in a collection, a library's helper) is reseeded by a
 * {@link Reseeder} bean of your own. The JDK's own classes are not read: the module system
 * keeps them closed.
 */
public class SingletonSecureRandoms implements SecureRandomReseeder.Source {

	private final ConfigurableListableBeanFactory beanFactory;

	/**
	 * Create a source for the singletons of the given factory.
	 * @param beanFactory the factory
	 */
	public SingletonSecureRandoms(ConfigurableListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public Collection<SecureRandom> find() {
		List<SecureRandom> found = new ArrayList<>();
		Set<Class<?>> staticsRead = new HashSet<>();
		for (String name : this.beanFactory.getSingletonNames()) {
			Object bean = target(this.beanFactory.getSingleton(name));
			if (bean == null) {
				continue;
			}
			for (Class<?> type = bean.getClass(); type != null && !isJdkClass(type); type = type.getSuperclass()) {
				boolean readStatics = staticsRead.add(type);
				for (Field field : type.getDeclaredFields()) {
					boolean staticField = Modifier.isStatic(field.getModifiers());
					if ((staticField && !readStatics) || !canHoldSecureRandom(field.getType())) {
						continue;
					}
					Object value = read(field, staticField ? null : bean);
					if (value instanceof SecureRandom) {
						found.add((SecureRandom) value);
					}
				}
			}
		}
		return found;
	}

	// A SecureRandom, or a field declared as one of its supertypes (Random, Object, ...).
	private static boolean canHoldSecureRandom(Class<?> type) {
		return SecureRandom.class.isAssignableFrom(type) || type.isAssignableFrom(SecureRandom.class);
	}

	private static Object target(Object bean) {
		Object current = bean;
		while (current != null && AopUtils.isAopProxy(current)) {
			current = AopProxyUtils.getSingletonTarget(current);
		}
		return current;
	}

	private static boolean isJdkClass(Class<?> type) {
		String name = type.getName();
		return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
				|| name.startsWith("sun.") || name.startsWith("com.sun.");
	}

	private static Object read(Field field, Object target) {
		try {
			field.setAccessible(true);
		}
		catch (RuntimeException ex) {
			// On Java 9 and later, a module that does not open the field's package
			return null;
		}
		try {
			return field.get(target);
		}
		catch (IllegalAccessException ex) {
			return null;
		}
	}

}
