package io.cse.compat;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One cell of the Kafka part of the matrix: the Spring Boot 2.7 Kafka service
 * ({@code compat/boot27-kafka}: Spring Kafka 2.8, kafka-clients 3.1) on one JDK. Selected by
 * the same system property as the other cells ({@value Cell#CELLS_PROPERTY}).
 *
 * @param jdk the JDK it runs on
 */
public record KafkaCell(Jdk jdk) {

	private static final String MODULE = "boot27-kafka";

	/**
	 * Return every Kafka cell.
	 * @return the cells, oldest JDK first
	 */
	public static List<KafkaCell> all() {
		return List.of(new KafkaCell(Jdk.JDK_8), new KafkaCell(Jdk.JDK_17));
	}

	/**
	 * Return the Kafka cells a run covers: all of them, or those named by the system
	 * property {@value Cell#CELLS_PROPERTY} (none if it names only other cells).
	 * @return the cells
	 * @throws IllegalArgumentException if the property names a cell that no part of the
	 * suite has
	 */
	public static List<KafkaCell> selected() {
		List<String> ids = Cell.selectedIds();
		if (ids.isEmpty()) {
			return all();
		}
		Cell.checkKnown(ids);
		return all().stream().filter((cell) -> ids.contains(cell.id())).collect(Collectors.toList());
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
	 * @return the jar under {@code compat/boot27-kafka/target}
	 */
	public Path jar() {
		return BootLine.jar(MODULE);
	}

	/**
	 * Return a short name, usable as a topic, a consumer group and a file name.
	 * @return for example {@code boot27-kafka-jdk8}
	 */
	public String id() {
		return MODULE + "-" + this.jdk.name().toLowerCase(Locale.ROOT).replace("_", "");
	}

	@Override
	public String toString() {
		return line() + " with Spring Kafka on " + this.jdk;
	}

}
