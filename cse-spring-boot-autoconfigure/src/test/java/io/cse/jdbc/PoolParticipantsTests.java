package io.cse.jdbc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.alibaba.druid.pool.DruidDataSource;
import com.p6spy.engine.spy.P6DataSource;
import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointParticipant;
import io.cse.InstanceIdentity;
import io.cse.samples.postgres.PostgresProcess;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.apache.commons.dbcp2.BasicDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the participants of Druid, DBCP2 and Tomcat JDBC pools against a real
 * PostgreSQL server, which says itself which connections are open, with each pool used
 * directly and behind each kind of proxy that metrics and tracing libraries add.
 */
class PoolParticipantsTests {

	private static final CheckpointContext FREEZE = new CheckpointContext(Operation.FREEZE, null,
			new InstanceIdentity(Clock.systemUTC()));

	private static final CheckpointContext THAW = new CheckpointContext(Operation.FREEZE, Resumption.THAW,
			new InstanceIdentity(Clock.systemUTC()));

	private static final CheckpointContext ROLLBACK = new CheckpointContext(Operation.FREEZE, Resumption.ROLLBACK,
			new InstanceIdentity(Clock.systemUTC()));

	/** Longer than each pool's own wait for a connection, which the test sets to 1 s. */
	private static final Duration FREEZE_LENGTH = Duration.ofMillis(1500);

	private static PostgresProcess postgres;

	@BeforeAll
	static void startPostgres() throws IOException {
		// P6Spy logs every statement to a file of its own unless told otherwise
		System.setProperty("p6spy.config.appender", "com.p6spy.engine.spy.appender.Slf4JLogger");
		postgres = PostgresProcess.start();
	}

	@AfterAll
	static void stopPostgres() {
		if (postgres != null) {
			postgres.close();
		}
	}

	static Stream<Arguments> poolsAndProxies() {
		return Stream.of(Pool.values())
			.flatMap((pool) -> Stream.of(Proxy.values()).map((proxy) -> Arguments.of(pool, proxy)));
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("poolsAndProxies")
	void freezeClosesEveryConnectionAndCallersWaitForTheThaw(Pool kind, Proxy proxy) throws Exception {
		String name = kind.name().toLowerCase() + "-" + proxy.name().toLowerCase();
		try (PoolUnderTest pool = new PoolUnderTest(kind, proxy, name)) {
			CheckpointParticipant participant = pool.participant();
			// Two connections in the pool, one of them in use when the freeze starts
			Connection inUse = pool.dataSource.getConnection();
			assertThat(query(pool.dataSource)).isEqualTo(1);
			assertThat(postgres.countConnections(name)).isGreaterThanOrEqualTo(2);

			CompletableFuture<Void> quiesce = CompletableFuture.runAsync(() -> call(() -> participant.quiesce(FREEZE)));
			// The quiesce waits for the connection in use rather than leave it open
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !quiesce.isDone());
			inUse.close();
			quiesce.get(30, TimeUnit.SECONDS);
			// PostgreSQL's view lags a close by a moment; a connection left open stays there
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(postgres.countConnections(name)).as("connections while frozen").isZero());

			// A caller during the freeze waits, longer than the pool's own limit, and opens nothing
			CompletableFuture<Integer> caller = CompletableFuture.supplyAsync(() -> query(pool.dataSource));
			await().during(FREEZE_LENGTH).atMost(FREEZE_LENGTH.plusSeconds(2)).until(() -> !caller.isDone());
			assertThat(postgres.countConnections(name)).as("connections while a caller waits").isZero();

			participant.resume(THAW);
			assertThat(caller.get(30, TimeUnit.SECONDS)).isEqualTo(1);
			assertThat(query(pool.dataSource)).isEqualTo(1);
			assertThat(postgres.countConnections(name)).as("connections after the thaw").isPositive();
		}
	}

	@ParameterizedTest
	@EnumSource(Pool.class)
	void rolledBackQuiesceLeavesThePoolUsable(Pool kind) throws Exception {
		String name = kind.name().toLowerCase() + "-rollback";
		try (PoolUnderTest pool = new PoolUnderTest(kind, Proxy.NONE, name)) {
			CheckpointParticipant participant = pool.participant();
			try (Connection inUse = pool.dataSource.getConnection()) {
				// The application keeps its connection: the coordinator's timeout interrupts the quiesce
				CompletableFuture<Void> quiesce = new CompletableFuture<>();
				Thread quiescing = new Thread(() -> {
					try {
						participant.quiesce(FREEZE);
						quiesce.complete(null);
					}
					catch (Exception ex) {
						quiesce.completeExceptionally(ex);
					}
				});
				quiescing.start();
				await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !quiesce.isDone());
				quiescing.interrupt();
				assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> quiesce.get(10, TimeUnit.SECONDS))
					.withCauseInstanceOf(InterruptedException.class)
					.withMessageContaining("DataSource 'dataSource'");
				participant.resume(ROLLBACK);
				try (Statement statement = inUse.createStatement()) {
					assertThat(statement.execute("select 1")).isTrue();
				}
			}
			List<CompletableFuture<Integer>> callers = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				callers.add(CompletableFuture.supplyAsync(() -> query(pool.dataSource)));
			}
			for (CompletableFuture<Integer> caller : callers) {
				assertThat(caller.get(30, TimeUnit.SECONDS)).isEqualTo(1);
			}
			assertThat(postgres.countConnections(name)).isPositive();
		}
	}

	private static int query(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("select 1")) {
			result.next();
			return result.getInt(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void call(ThrowingRunnable action) {
		try {
			action.run();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	interface ThrowingRunnable {

		void run() throws Exception;

	}

	/**
	 * The pools, each with a minimum of two idle connections that it keeps up in the
	 * background, and a wait for a connection of 1 s.
	 */
	enum Pool {

		DRUID(DruidPoolParticipant::new) {

			@Override
			DataSource create(String url) throws SQLException {
				DruidDataSource pool = new DruidDataSource();
				pool.setUrl(url);
				pool.setUsername("postgres");
				pool.setInitialSize(2);
				pool.setMinIdle(2);
				pool.setMaxActive(4);
				pool.setMaxWait(1000);
				pool.setKeepAlive(true);
				pool.setTimeBetweenEvictionRunsMillis(50);
				pool.init();
				return pool;
			}

			@Override
			void close(DataSource pool) {
				((DruidDataSource) pool).close();
			}

		},

		DBCP2(Dbcp2PoolParticipant::new) {

			@Override
			DataSource create(String url) {
				BasicDataSource pool = new BasicDataSource();
				pool.setUrl(url);
				pool.setUsername("postgres");
				pool.setInitialSize(2);
				pool.setMinIdle(2);
				pool.setMaxTotal(4);
				pool.setMaxWait(Duration.ofSeconds(1));
				pool.setDurationBetweenEvictionRuns(Duration.ofMillis(50));
				return pool;
			}

			@Override
			void close(DataSource pool) throws SQLException {
				((BasicDataSource) pool).close();
			}

		},

		TOMCAT(TomcatPoolParticipant::new) {

			@Override
			DataSource create(String url) {
				org.apache.tomcat.jdbc.pool.DataSource pool = new org.apache.tomcat.jdbc.pool.DataSource();
				pool.setUrl(url);
				pool.setDriverClassName("org.postgresql.Driver");
				pool.setUsername("postgres");
				pool.setInitialSize(2);
				pool.setMinIdle(2);
				pool.setMaxActive(4);
				pool.setMaxWait(1000);
				pool.setTimeBetweenEvictionRunsMillis(50);
				return pool;
			}

			@Override
			void close(DataSource pool) {
				((org.apache.tomcat.jdbc.pool.DataSource) pool).close();
			}

		};

		private final Function<GenericApplicationContext, CheckpointParticipant> participant;

		Pool(Function<GenericApplicationContext, CheckpointParticipant> participant) {
			this.participant = participant;
		}

		abstract DataSource create(String url) throws SQLException;

		abstract void close(DataSource pool) throws SQLException;

	}

	/**
	 * What the application's DataSource bean is: the pool itself, or a proxy of it.
	 */
	enum Proxy {

		NONE((pool) -> pool),

		/** Spring's own kind, as {@code LazyConnectionDataSourceProxy} is. */
		DELEGATING(DelegatingDataSource::new),

		/** What datasource-micrometer wraps pools in. */
		DATASOURCE_PROXY((pool) -> ProxyDataSourceBuilder.create(pool).name("metrics").build()),

		P6SPY(P6DataSource::new);

		private final UnaryOperator<DataSource> wrap;

		Proxy(UnaryOperator<DataSource> wrap) {
			this.wrap = wrap;
		}

	}

	private static final class PoolUnderTest implements AutoCloseable {

		private final Pool kind;

		private final DataSource pool;

		private final DataSource dataSource;

		private final GenericApplicationContext context = new GenericApplicationContext();

		PoolUnderTest(Pool kind, Proxy proxy, String applicationName) throws SQLException {
			this.kind = kind;
			this.pool = kind.create(postgres.getJdbcUrl() + "?ApplicationName=" + applicationName);
			this.dataSource = proxy.wrap.apply(this.pool);
			this.context.registerBean("dataSource", DataSource.class, () -> this.dataSource);
			this.context.refresh();
		}

		CheckpointParticipant participant() {
			return this.kind.participant.apply(this.context);
		}

		@Override
		public void close() throws SQLException {
			this.context.close();
			this.kind.close(this.pool);
		}

	}

}
