package io.cse.samples.hello;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.cse.samples.postgres.PostgresProcess;

/**
 * One real PostgreSQL server, in a process of its own, for every test of this module: it
 * stops when the tests' JVM exits.
 */
final class SharedPostgres {

	private static PostgresProcess postgres;

	private SharedPostgres() {
	}

	static synchronized PostgresProcess get() {
		if (postgres == null) {
			try {
				postgres = PostgresProcess.start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "postgres-stop"));
		}
		return postgres;
	}

}
