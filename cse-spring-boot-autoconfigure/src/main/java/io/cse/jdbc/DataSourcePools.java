package io.cse.jdbc;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.CommonDataSource;
import javax.sql.DataSource;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the connection pool behind a {@link DataSource}, through the proxies that metrics
 * and tracing libraries wrap pools in.
 * <p>
 * datasource-micrometer, datasource-proxy and P6Spy answer {@link DataSource#unwrap} by
 * asking the data source they wrap, and so does Spring's {@link DelegatingDataSource}. A
 * pool that does not say it is itself (Tomcat JDBC's {@code isWrapperFor} always answers
 * {@code false}) is found behind Spring's wrappers through their public target, and
 * behind the others through the field in which they keep the data source they wrap.
 */
final class DataSourcePools {

	private static final boolean SPRING_JDBC_PRESENT = ClassUtils.isPresent(
			"org.springframework.jdbc.datasource.DelegatingDataSource", DataSourcePools.class.getClassLoader());

	// Wrappers of wrappers, but not a cycle of them
	private static final int MAX_DEPTH = 8;

	private DataSourcePools() {
	}

	/**
	 * Return the pool of the given type behind a data source.
	 * @param <P> the type of pool
	 * @param dataSource a data source, a pool or a proxy of one
	 * @param poolType the type of pool
	 * @return the pool, or {@code null} if there is none of that type behind it
	 */
	static <P> P unwrap(Object dataSource, Class<P> poolType) {
		return unwrap(dataSource, poolType, MAX_DEPTH);
	}

	private static <P> P unwrap(Object dataSource, Class<P> poolType, int depth) {
		if (poolType.isInstance(dataSource)) {
			return poolType.cast(dataSource);
		}
		if (!(dataSource instanceof DataSource)) {
			return null;
		}
		DataSource wrapper = (DataSource) dataSource;
		try {
			if (wrapper.isWrapperFor(poolType)) {
				return wrapper.unwrap(poolType);
			}
		}
		catch (SQLException | RuntimeException ex) {
			// A proxy of a pool that is not of this type may throw rather than answer
		}
		if (depth == 0) {
			return null;
		}
		if (SPRING_JDBC_PRESENT && dataSource instanceof DelegatingDataSource) {
			return unwrap(((DelegatingDataSource) dataSource).getTargetDataSource(), poolType, depth - 1);
		}
		return unwrapTarget(dataSource, poolType, depth - 1);
	}

	/**
	 * Look for the pool in the fields where a wrapper keeps what it wraps
	 * (datasource-proxy's {@code ProxyDataSource.dataSource}, P6Spy's
	 * {@code P6DataSource.realDataSource}): a pool that does not answer {@code unwrap}
	 * cannot be reached through them otherwise.
	 */
	private static <P> P unwrapTarget(Object wrapper, Class<P> poolType, int depth) {
		for (Class<?> type = wrapper.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
			for (Field field : type.getDeclaredFields()) {
				if (Modifier.isStatic(field.getModifiers()) || !CommonDataSource.class.isAssignableFrom(field.getType())) {
					continue;
				}
				Object target;
				try {
					ReflectionUtils.makeAccessible(field);
					target = field.get(wrapper);
				}
				catch (IllegalAccessException | RuntimeException ex) {
					continue; // a module that does not open its classes
				}
				P pool = (target != null && target != wrapper) ? unwrap(target, poolType, depth) : null;
				if (pool != null) {
					return pool;
				}
			}
		}
		return null;
	}

	/**
	 * Return the pools of the given type behind the data sources of a bean factory, each
	 * once, under the name of the first bean found to hold it.
	 * @param <P> the type of pool
	 * @param beanFactory the factory to find data sources in
	 * @param poolType the type of pool
	 * @return the pools by bean name, in the factory's order
	 */
	static <P> Map<String, P> find(ListableBeanFactory beanFactory, Class<P> poolType) {
		Map<String, P> pools = new LinkedHashMap<>();
		Map<P, Boolean> seen = new IdentityHashMap<>();
		beanFactory.getBeansOfType(DataSource.class, false, false).forEach((name, dataSource) -> {
			P pool = unwrap(dataSource, poolType);
			if (pool != null && seen.put(pool, Boolean.TRUE) == null) {
				pools.put(name, pool);
			}
		});
		return pools;
	}

}
