package io.cse.compat;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import io.cse.samples.postgres.PostgresProcess;

/**
 * The suite's one PostgreSQL server (samples/embedded-postgres, a process of its own) and
 * what the services see of it: the greeting each serves, the rows their scheduled jobs
 * write, and their connections as the server itself counts them.
 * <p>
 * It listens on every address, so that the clones of every cell reach it through their
 * cell's bridge, and trusts the networks of those bridges ({@link #CLONE_NETWORKS}).
 */
public final class CompatDatabase implements AutoCloseable {

	/** The networks of the cells' bridges (10.199.224.0/24 to 10.199.239.0/24). */
	public static final String CLONE_NETWORKS = "10.199.224.0/20";

	private final PostgresProcess server;

	private CompatDatabase(PostgresProcess server) {
		this.server = server;
	}

	/**
	 * Start a server from the embedded-postgres sample's executable jar, and create the
	 * services' tables.
	 * @param jar the jar ({@code samples/embedded-postgres/target/embedded-postgres-*-exec.jar})
	 * @return the running server
	 */
	public static CompatDatabase start(Path jar) throws IOException, SQLException {
		PostgresProcess server = PostgresProcess.start(jar, "*", List.of(CLONE_NETWORKS));
		CompatDatabase database = new CompatDatabase(server);
		try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
			statement.execute("create table compat_greeting (service text primary key, message text not null)");
			statement.execute("create table compat_tick (id bigserial primary key, service text not null, "
					+ "at timestamptz not null default now())");
		}
		catch (SQLException | RuntimeException ex) {
			server.close();
			throw ex;
		}
		return database;
	}

	/**
	 * Return the JDBC URL of the database at the given address of this host.
	 * @param address {@code 127.0.0.1}, or a bridge's address for services whose clones
	 * must reach it
	 * @return the URL
	 */
	public String jdbcUrl(String address) {
		return this.server.getJdbcUrl(address);
	}

	/**
	 * Set what {@code GET /greeting} of the named service answers.
	 * @param service the service's {@code compat.name}
	 * @param message the greeting
	 */
	public void putGreeting(String service, String message) throws SQLException {
		try (Connection connection = this.server.connect();
				PreparedStatement statement = connection.prepareStatement("insert into compat_greeting (service, message) "
						+ "values (?, ?) on conflict (service) do update set message = excluded.message")) {
			statement.setString(1, service);
			statement.setString(2, message);
			statement.executeUpdate();
		}
	}

	/**
	 * Count the runs of the named service's scheduled job, by the rows it wrote.
	 * @param service the service's {@code compat.name}
	 * @return the number of rows
	 */
	public long ticks(String service) throws SQLException {
		return count("select count(*) from compat_tick where service = ?", service);
	}

	/**
	 * Count the server's connections for the given {@code application_name}
	 * ({@code pg_stat_activity}).
	 * @param applicationName the name the service's pool sets
	 * @return the number of backends
	 */
	public int connections(String applicationName) throws SQLException {
		return this.server.countConnections(applicationName);
	}

	/**
	 * Count the server's connections from the given client address ({@code pg_stat_activity}).
	 * @param address the client's address
	 * @return the number of backends
	 */
	public int connectionsFrom(String address) throws SQLException {
		return this.server.countConnectionsFrom(address);
	}

	private long count(String query, String argument) throws SQLException {
		try (Connection connection = this.server.connect(); PreparedStatement statement = connection.prepareStatement(query)) {
			statement.setString(1, argument);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getLong(1);
			}
		}
	}

	@Override
	public void close() {
		this.server.close();
	}

}
