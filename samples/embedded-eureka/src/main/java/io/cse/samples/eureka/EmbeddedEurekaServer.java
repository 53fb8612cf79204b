package io.cse.samples.eureka;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.netflix.eureka.server.EnableEurekaServer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs a real Spring Cloud Netflix Eureka server in a process of its own, until that
 * process is told to stop (SIGTERM), or, with {@code --stop-on-eof}, until its standard
 * input is closed.
 * <p>
 * A registry must never live inside the service's JVM: a snapshot of the service would
 * carry it along. The server is set up for tests (see {@code application.properties}): it
 * stands alone, evicts nothing on its own account (no self-preservation), and answers
 * reads from its registry rather than from a copy refreshed every 30 seconds, so that a
 * test sees a change as soon as the server has accepted it.
 * <p>
 * Once the server accepts requests, one line goes to standard output:
 * {@code READY port=<port> url=http://127.0.0.1:<port>/eureka/}. Options: any Spring Boot
 * argument ({@code --server.port=N}, default a free port), and {@code --stop-on-eof}.
 */
@SpringBootApplication
@EnableEurekaServer
public class EmbeddedEurekaServer {

	public static void main(String[] args) throws IOException {
		boolean stopOnEof = false;
		String[] springArgs = new String[args.length];
		int count = 0;
		for (String arg : args) {
			if (arg.equals("--stop-on-eof")) {
				stopOnEof = true;
			}
			else {
				springArgs[count++] = arg;
			}
		}
		String[] passed = new String[count];
		System.arraycopy(springArgs, 0, passed, 0, count);
		ConfigurableApplicationContext context = SpringApplication.run(EmbeddedEurekaServer.class, passed);
		String port = context.getEnvironment().getProperty("local.server.port");
		System.out.println("READY port=" + port + " url=http://127.0.0.1:" + port + "/eureka/");
		System.out.flush();
		if (stopOnEof) {
			awaitEndOfInput(System.in);
			context.close();
			System.exit(0);
		}
	}

	private static void awaitEndOfInput(InputStream in) throws IOException {
		// A parent that dies closes our standard input: the server must not outlive it.
		byte[] buffer = new byte[256];
		while (in.read(buffer) >= 0) {
			// keep reading until the end of input
		}
	}

}
