package io.cse.samples.hsf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.cse.samples.hsf.consumer.HelloWorldConsumer;

/**
 * The sample's {@link HelloWorldConsumer} in a process of its own, calling the provider
 * every few milliseconds for as long as it runs: a consumer that finds the provider
 * through ZooKeeper and calls it over the network, as one on another machine would.
 * Every line it prints is kept, in order.
 */
final class ConsumerProcess implements AutoCloseable {

	private final Process process;

	private final List<String> lines = new CopyOnWriteArrayList<>();

	ConsumerProcess(String registryAddress) throws IOException {
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx128m", "-cp", System.getProperty("java.class.path"), HelloWorldConsumer.class.getName(),
				"--registry=" + registryAddress, "--calls=0", "--interval=20");
		this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
		Thread reader = new Thread(this::read, "consumer-output");
		reader.setDaemon(true);
		reader.start();
	}

	private void read() {
		// Everything it says goes to target/, where it outlives the test for whoever reads a failure
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter log = new PrintWriter(Files.newBufferedWriter(Path.of("target", "consumer.log")), true)) {
			String line;
			while ((line = reader.readLine()) != null) {
				log.println(line);
				if (line.startsWith("hello : ") || line.startsWith("FAILED ")) {
					this.lines.add(line);
				}
			}
		}
		catch (IOException ex) {
			// the process ended
		}
	}

	/**
	 * Return how many calls it made so far: a mark to read the calls made after it.
	 * @return the number of calls
	 */
	int mark() {
		return this.lines.size();
	}

	/**
	 * Return the calls made since a mark, one line each:
	 * {@code hello : cse <- address:port instance=id} or {@code FAILED reason}.
	 * @param mark a {@link #mark()}
	 * @return the calls since then
	 */
	List<String> since(int mark) {
		return List.copyOf(this.lines.subList(mark, this.lines.size()));
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

}
