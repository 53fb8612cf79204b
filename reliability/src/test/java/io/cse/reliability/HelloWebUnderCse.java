package io.cse.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import io.cse.node.CseRun;
import io.cse.node.instance.NodeContext;
import io.cse.samples.postgres.PostgresProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code samples/hello-web} as a user starts it: with {@code cse run}, in the test's
 * JVM, over a state folder of the test's own, on a PostgreSQL, with a private images root.
 */
final class HelloWebUnderCse {

	private final Path work;

	final Path images;

	final int port;

	private HelloWebUnderCse(Path work, Path images, int port) {
		this.work = work;
		this.images = images;
		this.port = port;
	}

	/**
	 * Start the service and wait until it serves.
	 * @param work the test's folder: the state folder and images root go under it
	 * @param name the instance's name
	 * @param postgres its database
	 * @param properties more of the service's properties, as {@code --key=value}
	 * @return the started service
	 */
	static HelloWebUnderCse start(Path work, String name, PostgresProcess postgres, String... properties)
			throws IOException {
		Path images = Files.createDirectory(work.resolve("images"));
		Files.setPosixFilePermissions(images, PosixFilePermissions.fromString("rwx------"));
		int port;
		try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = free.getLocalPort();
		}
		HelloWebUnderCse service = new HelloWebUnderCse(work, images, port);
		List<String> args = new ArrayList<>(List.of("run", "--name", name, "--port", Integer.toString(port),
				"--timeout", "180s", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx256m", "-jar", System.getProperty("cse.hello-web.jar"), "--server.port=" + port,
				"--spring.datasource.url=" + postgres.getJdbcUrl(), "--cse.images.root=" + images));
		args.addAll(List.of(properties));
		CseRun run = service.cse(args.toArray(String[]::new));
		assertThat(run.exitCode()).as(run.toString()).isZero();
		return service;
	}

	/**
	 * Run the {@code cse} command line over the test's state folder.
	 * @param args its arguments, a service's command after {@code --}
	 * @return what it printed and exited with
	 */
	CseRun cse(String... args) {
		List<String> all = new ArrayList<>(List.of(args));
		int separator = all.indexOf("--");
		all.addAll((separator >= 0) ? separator : all.size(), List.of("--state-dir", stateDir().toString()));
		return CseRun.of(NodeContext.local(), all.toArray(String[]::new));
	}

	Path stateDir() {
		return this.work.resolve("state");
	}

}
