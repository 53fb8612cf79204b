package io.cse.jdbc;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.alibaba.druid.pool.DruidDataSource;
import io.cse.CheckpointContext.Operation;
import io.cse.OperationReport;
import io.cse.OperationReport.Outcome;
import io.cse.ParticipantStatus;
import io.cse.SnapshotOutcome;
import io.cse.samples.postgres.PostgresProcess;
import io.cse.snapshot.EngineStatus;
import io.cse.snapshot.SnapshotEngine;
import io.cse.snapshot.SnapshotService;
import io.cse.snapshot.SnapshotSpec;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A service with a Druid pool and a data source the starter does not know, snapshotted
 * with a real PostgreSQL server: the Druid pool holds no connection when the image is
 * taken, and the audit names the other data source with as many connections as the server
 * sees it hold.
 */
class UnmanagedDataSourcesTests {

	private static PostgresProcess postgres;

	@TempDir
	Path images;

	@BeforeAll
	static void startPostgres() throws IOException {
		postgres = PostgresProcess.start();
	}

	@AfterAll
	static void stopPostgres() {
		if (postgres != null) {
			postgres.close();
		}
	}

	@Test
	void auditNamesTheDataSourceNoParticipantClosesWithItsConnections() throws Exception {
		try (ConfigurableApplicationContext application = run()) {
			Dump dump = dump(application);
			assertThat(dump.report.outcome()).as(String.valueOf(dump.report.error())).isEqualTo(Outcome.SUCCESS);
			assertThat(dump.managedAtSnapshot).as("Druid's connections in the image").isZero();
			assertThat(dump.otherAtSnapshot).as("the other data source's connections in the image").isEqualTo(1);
			assertThat(dump.report.notes()).filteredOn((note) -> note.startsWith("DataSource"))
				.singleElement()
				.asString()
				.startsWith("DataSource 'otherDataSource' (" + SingleConnectionDataSource.class.getName()
						+ ") is not a pool the starter closes: 1 connection(s) to its database (port "
						+ postgres.getPort() + ")")
				.contains("CheckpointParticipant");
			// The participant is in the status and the metrics, as every participant is
			assertThat(application.getBean(io.cse.CheckpointCoordinator.class).getParticipants())
				.extracting(ParticipantStatus::name)
				.contains("druid", "dbcp2", "tomcat-jdbc");
			assertThat(application.getBean(MeterRegistry.class)
				.get("cse.participants")
				.tag("participant", "druid")
				.tag("phase", "quiesce")
				.timer()
				.count()).isEqualTo(1);
		}
	}

	@Test
	void auditNamesAPoolWhoseParticipantIsSwitchedOff() throws Exception {
		try (ConfigurableApplicationContext application = run("--cse.jdbc.druid.enabled=false")) {
			application.getBean(CountingEngine.class).managedClosed = false;
			Dump dump = dump(application);
			assertThat(dump.managedAtSnapshot).as("Druid's connections in the image").isPositive();
			// Both hold connections to the same server: the audit cannot tell whose is whose
			assertThat(dump.report.notes()).filteredOn((note) -> note.startsWith("DataSource"))
				.singleElement()
				.asString()
				.startsWith("DataSource 'druidDataSource' (" + DruidDataSource.class.getName()
						+ ") and DataSource 'otherDataSource' (" + SingleConnectionDataSource.class.getName()
						+ ") are not pools the starter closes: " + (dump.managedAtSnapshot + dump.otherAtSnapshot)
						+ " connection(s) to their database (port " + postgres.getPort() + ")");
		}
	}

	private ConfigurableApplicationContext run(String... arguments) {
		String[] all = new String[arguments.length + 4];
		all[0] = "--cse.images.root=" + this.images;
		// The PostgreSQL server of the test is a child of this JVM
		all[1] = "--cse.snapshot.allow-child-processes=true";
		all[2] = "--cse.memory.trim-heap=false";
		all[3] = "--postgres.url=" + postgres.getJdbcUrl();
		System.arraycopy(arguments, 0, all, 4, arguments.length);
		ConfigurableApplicationContext application = new SpringApplicationBuilder(TwoDataSourcesApplication.class)
			.web(WebApplicationType.NONE)
			.run(all);
		for (DataSource dataSource : application.getBeansOfType(DataSource.class).values()) {
			assertThat(new JdbcTemplate(dataSource).queryForObject("select 1", Integer.class)).isEqualTo(1);
		}
		return application;
	}

	private static Dump dump(ConfigurableApplicationContext application) {
		SnapshotService snapshots = application.getBean(SnapshotService.class);
		CountingEngine engine = application.getBean(CountingEngine.class);
		OperationReport report = snapshots.run(snapshots.prepare(Operation.DUMP, null));
		return new Dump(report, engine.managed.get(), engine.other.get());
	}

	private record Dump(OperationReport report, int managedAtSnapshot, int otherAtSnapshot) {

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TwoDataSourcesApplication {

		@Bean(initMethod = "init", destroyMethod = "close")
		@Primary
		DruidDataSource druidDataSource(org.springframework.core.env.Environment environment) {
			DruidDataSource pool = new DruidDataSource();
			pool.setUrl(environment.getProperty("postgres.url") + "?ApplicationName=managed");
			pool.setUsername("postgres");
			pool.setInitialSize(2);
			return pool;
		}

		/** Not a pool: one connection, held open for good. */
		@Bean(destroyMethod = "destroy")
		SingleConnectionDataSource otherDataSource(org.springframework.core.env.Environment environment) {
			return new SingleConnectionDataSource(environment.getProperty("postgres.url") + "?ApplicationName=other",
					"postgres", "", true);
		}

		@Bean
		CountingEngine countingEngine() {
			return new CountingEngine();
		}

	}

	/**
	 * Counts, from the server's side, what each data source holds when the image would be
	 * taken, and takes none.
	 */
	static class CountingEngine implements SnapshotEngine {

		final AtomicInteger managed = new AtomicInteger(-1);

		final AtomicInteger other = new AtomicInteger(-1);

		volatile boolean managedClosed = true;

		@Override
		public String getName() {
			return "counting";
		}

		@Override
		public EngineStatus getStatus() {
			return EngineStatus.available("counting", "1");
		}

		@Override
		public boolean canLeaveRunning() {
			return true;
		}

		@Override
		public SnapshotOutcome snapshot(SnapshotSpec spec) {
			try {
				if (this.managedClosed) {
					// PostgreSQL's view lags a close by a moment; a connection left open stays there
					await().atMost(Duration.ofSeconds(10))
						.ignoreExceptions()
						.until(() -> postgres.countConnections("managed") == 0);
				}
				this.managed.set(postgres.countConnections("managed"));
				this.other.set(postgres.countConnections("other"));
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
			return SnapshotOutcome.CONTINUED;
		}

	}

}
