package io.cse.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;

/**
 * Turns on {@code allowPoolSuspension} on every {@link HikariDataSource} before its pool
 * starts, so that {@link HikariPoolParticipant} can suspend it. Hikari seals its
 * configuration once the pool has started; a pool that started earlier is left as it is
 * and the quiesce explains what to set.
 * <p>
 * It sees each pool before the post-processors that wrap pools in proxies (metrics and
 * tracing libraries), and finds the pool behind a proxy that was made earlier still.
 */
public class HikariPoolSuspensionEnabler implements BeanPostProcessor, PriorityOrdered {

	private static final Log logger = LogFactory.getLog(HikariPoolSuspensionEnabler.class);

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		HikariDataSource hikari = HikariPoolParticipant.unwrap(bean);
		if (hikari != null && !hikari.isAllowPoolSuspension()) {
			try {
				hikari.setAllowPoolSuspension(true);
			}
			catch (IllegalStateException ex) {
				logger.warn("HikariCP pool of bean '" + beanName + "' started before pool suspension could be turned on;"
						+ " set spring.datasource.hikari.allow-pool-suspension=true so that it can be frozen");
			}
		}
		return bean;
	}

}
