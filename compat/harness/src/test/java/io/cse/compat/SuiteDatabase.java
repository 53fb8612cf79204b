package io.cse.compat;

import java.nio.file.Path;

import io.cse.samples.postgres.PostgresProcess;

/**
 * The one PostgreSQL server of the whole suite, started by the first cell that needs it;
 * it stops when the tests' JVM exits.
 */
final class SuiteDatabase {

	private static CompatDatabase database;

	private SuiteDatabase() {
	}

	static synchronized CompatDatabase get() throws Exception {
		if (database == null) {
			String jar = System.getProperty(PostgresProcess.JAR_PROPERTY);
			if (jar == null) {
				throw new IllegalStateException("System property " + PostgresProcess.JAR_PROPERTY + " is not set: run "
						+ "the suite with 'mvn -B -pl compat/harness -am verify'");
			}
			database = CompatDatabase.start(Path.of(jar));
			Runtime.getRuntime().addShutdownHook(new Thread(database::close, "postgres-stop"));
		}
		return database;
	}

	/**
	 * Return where a cell's service logs go: {@code target/compat-logs}, kept for whoever
	 * reads a failure.
	 */
	static Path logs() {
		return Path.of(System.getProperty("cse.compat.logs", "target/compat-logs"));
	}

}
