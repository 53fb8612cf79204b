package io.cse.compat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One cell of the client-library part of the matrix: a Spring Boot 2.7 service built
 * around one client (Redis, RabbitMQ, Kafka) by a module of its own, on one JDK. Selected
 * by the same system property as the other cells ({@value Cell#CELLS_PROPERTY}).
 * <p>
 * Only Spring Boot 2.7, on JDK 8 and 17: its clients' connection factories are not
 * stopped by Spring's lifecycle, so the starter's participants close them. Spring Boot 3
 * and 4 clients do it themselves, which the starter's own tests show on 3.5 and 4.0.
 *
 * @param module the module under {@code compat/} that builds the service
 * @param client the client library, as the cell's name shows it
 * @param jdk the JDK the service runs on
 */
public record ClientCell(String module, String client, Jdk jdk) {

	/** Spring Data Redis 2.7: a template and a pub/sub listener, on Lettuce or Jedis. */
	public static final String REDIS = "boot27-redis";

	/** Spring AMQP 2.4: a listener and a template (the service is {@code compat/amqp-service}). */
	public static final String AMQP = "boot27-amqp";

	/** Spring Kafka 2.8: a listener and a template. */
	public static final String KAFKA = "boot27-kafka";

	private static final List<String> MODULES = List.of(REDIS, AMQP, KAFKA);

	/**
	 * Return every cell of one client's service.
	 * @param module {@link #REDIS}, {@link #AMQP} or {@link #KAFKA}
	 * @return the cells, oldest JDK first
	 */
	public static List<ClientCell> all(String module) {
		String client = switch (module) {
			case REDIS -> "Spring Data Redis";
			case AMQP -> "Spring AMQP";
			case KAFKA -> "Spring Kafka";
			default -> throw new IllegalArgumentException("No client module '" + module + "'; the modules are " + MODULES);
		};
		List<ClientCell> cells = new ArrayList<>();
		for (Jdk jdk : List.of(Jdk.JDK_8, Jdk.JDK_17)) {
			cells.add(new ClientCell(module, client, jdk));
		}
		return cells;
	}

	/**
	 * Return the cells of one client's service that the system property selects, or all of
	 * them if it is not set.
	 * @param module {@link #REDIS}, {@link #AMQP} or {@link #KAFKA}
	 * @return the cells
	 * @throws IllegalArgumentException if the property names a cell that no part of the
	 * suite has
	 */
	public static List<ClientCell> selected(String module) {
		List<String> ids = Cell.selectedIds();
		if (ids.isEmpty()) {
			return all(module);
		}
		Cell.checkKnown(ids);
		return all(module).stream().filter((cell) -> ids.contains(cell.id())).collect(Collectors.toList());
	}

	/**
	 * Return the names of every client cell, for the check of a selection.
	 * @return the cells' names
	 */
	static List<String> ids() {
		return MODULES.stream().flatMap((module) -> all(module).stream()).map(ClientCell::id).toList();
	}

	/**
	 * Return the Spring Boot line of the service.
	 * @return Spring Boot 2.7
	 */
	public BootLine line() {
		return BootLine.BOOT_2_7;
	}

	/**
	 * Return the service's executable jar.
	 * @return the jar under the module's {@code target}
	 */
	public Path jar() {
		return BootLine.jar(this.module);
	}

	/**
	 * Return a short name, usable as a topic, a queue, a consumer group and a file name.
	 * @return for example {@code boot27-kafka-jdk8}
	 */
	public String id() {
		return this.module + "-" + this.jdk.name().toLowerCase(Locale.ROOT).replace("_", "");
	}

	@Override
	public String toString() {
		return line() + " with " + this.client + " on " + this.jdk;
	}

}
