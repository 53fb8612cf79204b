package io.cse.jdbc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.cse.CheckpointCoordinator;
import io.cse.InstanceState;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.samples.postgres.PostgresProcess;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Cloud service whose HikariCP pool is wrapped in a proxy (as datasource-micrometer,
 * datasource-proxy, P6Spy or Spring's {@code DelegatingDataSource} wrap it), on a real
 * PostgreSQL server and registered in a real ZooKeeper: a freeze reaches the real pool,
 * and after the thaw the pool serves again and the service is back in the registry. What
 * each server sees is read from the server itself.
 */
class ProxiedPoolRegistryTests {

	private static final String SERVICE = "ledger";

	private static final String SERVICE_PATH = "/services/" + SERVICE;

	private static PostgresProcess postgres;

	private static TestingServer zookeeper;

	private static CuratorFramework reader;

	@BeforeAll
	static void startServers() throws Exception {
		postgres = PostgresProcess.start();
		zookeeper = new TestingServer(true);
		reader = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100));
		reader.start();
		reader.blockUntilConnected();
	}

	@AfterAll
	static void stopServers() throws IOException {
		if (reader != null) {
			reader.close();
			zookeeper.close();
		}
		if (postgres != null) {
			postgres.close();
		}
	}

	static Stream<Class<?>> proxies() {
		return Stream.of(DatasourceProxyWrapped.class, DelegatingWrapped.class);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("proxies")
	void freezeReachesThePoolBehindTheProxyAndThawBringsEverythingBack(Class<?> proxy) throws Exception {
		String applicationName = "ledger-" + proxy.getSimpleName();
		try (ConfigurableApplicationContext application = new SpringApplicationBuilder(LedgerApplication.class, proxy)
			.web(WebApplicationType.SERVLET)
			// Arguments, as they win over the test application.properties that switches ZooKeeper off
			.run("--server.port=0", "--spring.application.name=" + SERVICE,
					"--spring.datasource.url=" + postgres.getJdbcUrl() + "?ApplicationName=" + applicationName,
					"--spring.datasource.username=postgres", "--spring.cloud.zookeeper.enabled=true",
					"--spring.cloud.zookeeper.connect-string=" + zookeeper.getConnectString(),
					"--cse.memory.trim-heap=false")) {
			DataSource dataSource = application.getBean(DataSource.class);
			assertThat(dataSource).as("the application's DataSource is the proxy")
				.isNotInstanceOf(HikariDataSource.class);
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(jdbc.queryForObject("select 42", Integer.class)).isEqualTo(42);
			assertThat(postgres.countConnections(applicationName)).isPositive();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(instances()).hasSize(1));
			String id = instances().get(0);

			CheckpointCoordinator coordinator = application.getBean(CheckpointCoordinator.class);
			OperationReport freeze = coordinator.freeze();
			assertThat(freeze.outcome()).as(String.valueOf(freeze.error())).isEqualTo(Outcome.SUCCESS);
			// PostgreSQL's own view lags the close (seconds on a busy machine); a pool that
			// kept a connection would keep it for good
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(postgres.countConnections(applicationName))
					.as(() -> "backends of " + applicationName + ": " + backends(applicationName))
					.isZero());
			await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(instances()).isEmpty());

			OperationReport thaw = coordinator.thaw(Map.of());
			assertThat(thaw.outcome()).as(String.valueOf(thaw.error())).isEqualTo(Outcome.SUCCESS);
			assertThat(coordinator.getState()).isEqualTo(InstanceState.RUNNING);
			await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(instances()).containsExactly(id));
			assertThat(jdbc.queryForObject("select 43", Integer.class)).isEqualTo(43);
			assertThat(postgres.countConnections(applicationName)).isPositive();
		}
	}

	/**
	 * What PostgreSQL knows of the application's backends, to tell a failure apart.
	 */
	private static String backends(String applicationName) {
		try (Connection connection = postgres.connect();
				PreparedStatement statement = connection.prepareStatement("select pid, state, backend_start, "
						+ "state_change, query from pg_stat_activity where application_name = ?")) {
			statement.setString(1, applicationName);
			List<String> rows = new ArrayList<>();
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					rows.add(result.getInt(1) + " " + result.getString(2) + " since " + result.getTimestamp(3)
							+ " (changed " + result.getTimestamp(4) + "): " + result.getString(5));
				}
			}
			return rows.toString();
		}
		catch (SQLException ex) {
			return "unknown (" + ex.getMessage() + ")";
		}
	}

	private static List<String> instances() throws Exception {
		if (reader.checkExists().forPath(SERVICE_PATH) == null) {
			return List.of();
		}
		return reader.getChildren().forPath(SERVICE_PATH);
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class LedgerApplication {

	}

	/**
	 * What datasource-micrometer does: every DataSource bean wrapped in datasource-proxy's
	 * proxy.
	 */
	static class DatasourceProxyWrapped {

		@Bean
		static BeanPostProcessor datasourceProxyWrapper() {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					return (bean instanceof DataSource dataSource)
							? ProxyDataSourceBuilder.create(dataSource).name("metrics").build() : bean;
				}

			};
		}

	}

	/**
	 * A wrapper of Spring's own kind, as {@code LazyConnectionDataSourceProxy} and
	 * {@code TransactionAwareDataSourceProxy} are.
	 */
	static class DelegatingWrapped {

		@Bean
		static BeanPostProcessor delegatingWrapper() {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					return (bean instanceof DataSource dataSource) ? new DelegatingDataSource(dataSource) : bean;
				}

			};
		}

	}

}
