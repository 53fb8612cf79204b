package io.cse.compat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One cell of the Redis part of the matrix: the Spring Boot 2.7 Redis service
 * ({@code compat/boot27-redis}, Spring Data Redis 2.7, whose connection factories are not
 * lifecycle beans) on one JDK. Selected by the same system property as the other cells
 * ({@value Cell#CELLS_PROPERTY}).
 *
 * @param jdk the JDK it runs on
 */
public record RedisCell(Jdk jdk) {

	/** The module under {@code compat/} that builds the service. */
	public static final String MODULE = "boot27-redis";

	/**
	 * Return every Redis cell.
	 * @return the cells, oldest JDK first
	 */
	public static List<RedisCell> all() {
		List<RedisCell> cells = new ArrayList<>();
		for (Jdk jdk : List.of(Jdk.JDK_8, Jdk.JDK_17)) {
			cells.add(new RedisCell(jdk));
		}
		return cells;
	}

	/**
	 * Return the Redis cells a run covers: all of them, or those named by the system
	 * property {@value Cell#CELLS_PROPERTY} (none if it names only other cells).
	 * @return the cells
	 */
	public static List<RedisCell> selected() {
		List<String> ids = Cell.selectedIds();
		if (ids.isEmpty()) {
			return all();
		}
		Cell.checkKnown(ids);
		return all().stream().filter((cell) -> ids.contains(cell.id())).collect(Collectors.toList());
	}

	/**
	 * Return the line the service is built with.
	 * @return Spring Boot 2.7
	 */
	public BootLine line() {
		return BootLine.BOOT_2_7;
	}

	/**
	 * Return the service's executable jar.
	 * @return the jar under {@code compat/boot27-redis/target}
	 */
	public Path jar() {
		return BootLine.jar(MODULE);
	}

	/**
	 * Return a short name, usable as a Redis client name and a file name.
	 * @return for example {@code boot27-redis-jdk8}
	 */
	public String id() {
		return MODULE + "-" + this.jdk.name().toLowerCase(Locale.ROOT).replace("_", "");
	}

	@Override
	public String toString() {
		return line() + " with Spring Data Redis on " + this.jdk;
	}

}
