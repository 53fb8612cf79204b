package io.cse.samples.kafka;

import java.io.IOException;
import java.io.InputStream;

/**
 * The broker process's entry point: runs {@code kafka.Kafka} with the given
 * {@code server.properties} until its standard input is closed.
 * <p>
 * A broker must not outlive the tests that started it: when their JVM ends, for whatever
 * reason, the pipe to this process's standard input closes and the broker shuts down
 * (through its own shutdown hook).
 */
public final class KafkaBroker {

	private KafkaBroker() {
	}

	public static void main(String[] args) {
		Thread watcher = new Thread(() -> {
			awaitEndOfInput(System.in);
			System.exit(0);
		}, "kafka-broker-stdin");
		watcher.setDaemon(true);
		watcher.start();
		kafka.Kafka.main(args);
	}

	private static void awaitEndOfInput(InputStream in) {
		byte[] buffer = new byte[256];
		try {
			while (in.read(buffer) >= 0) {
				// keep reading until the end of input
			}
		}
		catch (IOException ex) {
			// A broken pipe is an end of input too
		}
	}

}
