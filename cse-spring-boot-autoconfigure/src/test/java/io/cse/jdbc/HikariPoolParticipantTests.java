package io.cse.jdbc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.InstanceIdentity;
import io.cse.samples.postgres.PostgresProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link HikariPoolParticipant} against a real PostgreSQL server, which says
 * itself which connections are open.
 */
class HikariPoolParticipantTests {

	private static final CheckpointContext FREEZE = new CheckpointContext(Operation.FREEZE, null,
			new InstanceIdentity(Clock.systemUTC()));

	private static final CheckpointContext THAW = new CheckpointContext(Operation.FREEZE, Resumption.THAW,
			new InstanceIdentity(Clock.systemUTC()));

	private static PostgresProcess postgres;

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
	void connectionBeingOpenedWhenThePoolIsSuspendedIsClosedToo() throws Exception {
		// The pool fills itself up to its minimum in the background after it starts, as it
		// does while an application starts: its second connection is held half-open.
		CountDownLatch opening = new CountDownLatch(1);
		CountDownLatch open = new CountDownLatch(1);
		AtomicInteger opened = new AtomicInteger();
		DataSource database = new DelegatingDataSource(database("opening")) {

			@Override
			public Connection getConnection() throws SQLException {
				if (opened.incrementAndGet() == 2) {
					opening.countDown();
					awaitLatch(open);
				}
				return super.getConnection();
			}

		};
		try (HikariDataSource pool = pool(database, "opening");
				GenericApplicationContext context = new GenericApplicationContext()) {
			context.registerBean("dataSource", DataSource.class, () -> pool);
			context.refresh();
			assertThat(opening.await(30, TimeUnit.SECONDS)).as("second connection being opened").isTrue();
			HikariPoolParticipant participant = new HikariPoolParticipant(context);
			CompletableFuture<Void> quiesce = CompletableFuture.runAsync(() -> {
				try {
					participant.quiesce(FREEZE);
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			// The quiesce waits for the connection being opened rather than miss it.
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !quiesce.isDone());
			open.countDown();
			quiesce.get(30, TimeUnit.SECONDS);
			assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isZero();
			// PostgreSQL's view lags a close by a moment; a connection left open stays there.
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(postgres.countConnections("opening")).isZero());
			participant.resume(THAW);
			try (Connection connection = pool.getConnection()) {
				assertThat(connection.isValid(5)).isTrue();
			}
		}
	}

	private static DataSource database(String applicationName) {
		PGSimpleDataSource dataSource = new PGSimpleDataSource();
		dataSource.setURL(postgres.getJdbcUrl() + "?ApplicationName=" + applicationName);
		dataSource.setUser("postgres");
		return dataSource;
	}

	private static HikariDataSource pool(DataSource dataSource, String name) {
		HikariConfig config = new HikariConfig();
		config.setDataSource(dataSource);
		config.setPoolName(name);
		config.setMinimumIdle(2);
		config.setMaximumPoolSize(2);
		config.setAllowPoolSuspension(true);
		return new HikariDataSource(config);
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
