package io.cse.autoconfigure;

import java.util.List;

import com.alibaba.druid.pool.DruidDataSource;
import io.cse.CheckpointCoordinator;
import io.cse.CheckpointParticipant;
import io.cse.ParticipantStatus;
import io.cse.jdbc.Dbcp2PoolParticipant;
import io.cse.jdbc.DruidPoolParticipant;
import io.cse.jdbc.TomcatPoolParticipant;
import io.cse.jdbc.UnmanagedDataSources;
import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.tomcat.jdbc.pool.DataSourceProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CseJdbcPoolsAutoConfiguration}.
 */
class CseJdbcPoolsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CseAutoConfiguration.class, CseJdbcPoolsAutoConfiguration.class));

	@Test
	void createsAParticipantPerPoolLibraryAndTheAuditNote() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(DruidPoolParticipant.class);
			assertThat(context).hasSingleBean(Dbcp2PoolParticipant.class);
			assertThat(context).hasSingleBean(TomcatPoolParticipant.class);
			assertThat(context).hasSingleBean(UnmanagedDataSources.class);
			assertThat(participants(context)).filteredOn((participant) -> !participant.name().equals("jdbc")
					&& participant.order() == CheckpointParticipant.POOL_ORDER)
				.extracting(ParticipantStatus::name)
				.containsExactlyInAnyOrder("druid", "dbcp2", "tomcat-jdbc");
		});
	}

	@ParameterizedTest
	@CsvSource({ "druid, druid", "dbcp2, dbcp2", "tomcat, tomcat-jdbc" })
	void eachPoolHasASwitch(String property, String participant) {
		this.contextRunner.withPropertyValues("cse.jdbc." + property + ".enabled=false").run((context) -> {
			assertThat(names(context)).doesNotContain(participant).contains("jdbc");
			assertThat(names(context).stream().filter(List.of("druid", "dbcp2", "tomcat-jdbc")::contains))
				.hasSize(2);
			assertThat(context).hasSingleBean(UnmanagedDataSources.class);
		});
	}

	@Test
	void jdbcSwitchTurnsEveryPoolOff() {
		this.contextRunner.withPropertyValues("cse.jdbc.enabled=false").run((context) -> {
			assertThat(names(context)).doesNotContain("jdbc", "druid", "dbcp2", "tomcat-jdbc");
			// Every pool is then one the audit names
			assertThat(context).hasSingleBean(UnmanagedDataSources.class);
		});
	}

	@Test
	void cseSwitchTurnsEverythingOff() {
		this.contextRunner.withPropertyValues("cse.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(DruidPoolParticipant.class);
			assertThat(context).doesNotHaveBean(UnmanagedDataSources.class);
		});
	}

	@Test
	void noParticipantWithoutItsLibrary() {
		this.contextRunner
			.withClassLoader(new FilteredClassLoader(DruidDataSource.class, BasicDataSource.class, DataSourceProxy.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(DruidPoolParticipant.class);
				assertThat(context).doesNotHaveBean(Dbcp2PoolParticipant.class);
				assertThat(context).doesNotHaveBean(TomcatPoolParticipant.class);
				assertThat(context).hasSingleBean(UnmanagedDataSources.class);
			});
	}

	@Test
	void userParticipantWins() {
		this.contextRunner
			.withBean("myDruid", DruidPoolParticipant.class,
					() -> new DruidPoolParticipant(new DefaultListableBeanFactory()))
			.run((context) -> assertThat(context).getBeanNames(DruidPoolParticipant.class).containsExactly("myDruid"));
	}

	private static List<ParticipantStatus> participants(ApplicationContext context) {
		return context.getBean(CheckpointCoordinator.class).getParticipants();
	}

	private static List<String> names(ApplicationContext context) {
		return participants(context).stream().map(ParticipantStatus::name).toList();
	}

}
