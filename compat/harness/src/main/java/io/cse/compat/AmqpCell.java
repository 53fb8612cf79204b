package io.cse.compat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One cell of the RabbitMQ part of the matrix: the suite's RabbitMQ service
 * ({@code compat/amqp-service}), built by a module of its own against a line, on one JDK.
 * Selected by the same system property as the other cells ({@value Cell#CELLS_PROPERTY}).
 * <p>
 * Only Spring Boot 2.7: its Spring AMQP (2.4) does not close its connections through
 * Spring's lifecycle, so the starter does. Spring AMQP 3 and 4 do it themselves, which
 * the starter's own tests show on Spring Boot 3.5 and 4.0.
 *
 * @param line the Spring Boot line of the service
 * @param module the module under {@code compat/} that builds it
 * @param springAmqp the Spring AMQP version that line's dependency management brings
 * @param jdk the JDK it runs on
 */
public record AmqpCell(BootLine line, String module, String springAmqp, Jdk jdk) {

	/**
	 * Return every RabbitMQ cell.
	 * @return the cells, oldest JDK first
	 */
	public static List<AmqpCell> all() {
		List<AmqpCell> cells = new ArrayList<>();
		for (Jdk jdk : List.of(Jdk.JDK_8, Jdk.JDK_17)) {
			cells.add(new AmqpCell(BootLine.BOOT_2_7, "boot27-amqp", "2.4.17", jdk));
		}
		return cells;
	}

	/**
	 * Return the RabbitMQ cells a run covers: all of them, or those named by the system
	 * property {@value Cell#CELLS_PROPERTY} (none if it names only other cells).
	 * @return the cells
	 * @throws IllegalArgumentException if the property names a cell that no part of the
	 * suite has
	 */
	public static List<AmqpCell> selected() {
		List<String> ids = Cell.selectedIds();
		if (ids.isEmpty()) {
			return all();
		}
		Cell.checkKnown(ids);
		return all().stream().filter((cell) -> ids.contains(cell.id())).collect(Collectors.toList());
	}

	/**
	 * Return the service's executable jar, as {@code spring-boot-maven-plugin} repackaged it.
	 * @return the jar under {@code compat/<module>/target}
	 */
	public Path jar() {
		return BootLine.jar(this.module);
	}

	/**
	 * Return a short name, usable as a Spring application name and a file name.
	 * @return for example {@code boot27-amqp-jdk8}
	 */
	public String id() {
		return this.module + "-" + this.jdk.name().toLowerCase(Locale.ROOT).replace("_", "");
	}

	@Override
	public String toString() {
		return this.line + " with Spring AMQP " + this.springAmqp + " on " + this.jdk;
	}

}
