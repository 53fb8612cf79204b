package io.cse.autoconfigure;

import com.alibaba.druid.pool.DruidDataSource;
import io.cse.CheckpointParticipant;
import io.cse.jdbc.Dbcp2PoolParticipant;
import io.cse.jdbc.DruidPoolParticipant;
import io.cse.jdbc.TomcatPoolParticipant;
import io.cse.jdbc.UnmanagedDataSources;
import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.tomcat.jdbc.pool.DataSourceProxy;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * JDBC connection pools other than HikariCP (which {@link CseAutoConfiguration} handles):
 * a participant per pool library on the class path, and a note in a snapshot's audit for
 * each data source that none of them closes.
 */
@AutoConfiguration(after = CseAutoConfiguration.class)
@Conditional(SupportedPlatformCondition.class)
@ConditionalOnProperty(prefix = "cse", name = "enabled", matchIfMissing = true)
final class CseJdbcPoolsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	UnmanagedDataSources cseUnmanagedDataSources(ListableBeanFactory beanFactory,
			ObjectProvider<CheckpointParticipant> participants) {
		return new UnmanagedDataSources(beanFactory, participants);
	}

	// One annotation per class, with both names: Spring Boot 2.7's is not repeatable
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(DruidDataSource.class)
	@ConditionalOnProperty(name = { "cse.jdbc.enabled", "cse.jdbc.druid.enabled" }, matchIfMissing = true)
	static class DruidConfiguration {

		@Bean
		@ConditionalOnMissingBean
		DruidPoolParticipant cseDruidPoolParticipant(ListableBeanFactory beanFactory) {
			return new DruidPoolParticipant(beanFactory);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(BasicDataSource.class)
	@ConditionalOnProperty(name = { "cse.jdbc.enabled", "cse.jdbc.dbcp2.enabled" }, matchIfMissing = true)
	static class Dbcp2Configuration {

		@Bean
		@ConditionalOnMissingBean
		Dbcp2PoolParticipant cseDbcp2PoolParticipant(ListableBeanFactory beanFactory) {
			return new Dbcp2PoolParticipant(beanFactory);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(DataSourceProxy.class)
	@ConditionalOnProperty(name = { "cse.jdbc.enabled", "cse.jdbc.tomcat.enabled" }, matchIfMissing = true)
	static class TomcatConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TomcatPoolParticipant cseTomcatPoolParticipant(ListableBeanFactory beanFactory) {
			return new TomcatPoolParticipant(beanFactory);
		}

	}

}
