package io.cse.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One cell of the registry part of the matrix: a line's registry service on one JDK.
 * Selected by the same system property as the other cells ({@value Cell#CELLS_PROPERTY}).
 *
 * @param line the line of the registry service
 * @param jdk the JDK it runs on
 */
public record RegistryCell(RegistryLine line, Jdk jdk) {

	/**
	 * Return every registry cell: each line on each of its JDKs.
	 * @return the cells, line by line
	 */
	public static List<RegistryCell> all() {
		List<RegistryCell> cells = new ArrayList<>();
		for (RegistryLine line : RegistryLine.values()) {
			for (Jdk jdk : line.jdks()) {
				cells.add(new RegistryCell(line, jdk));
			}
		}
		return cells;
	}

	/**
	 * Return the registry cells a run covers: all of them, or those named by the system
	 * property {@value Cell#CELLS_PROPERTY} (none if it names only other cells).
	 * @return the cells
	 * @throws IllegalArgumentException if the property names a cell that no part of the
	 * suite has
	 */
	public static List<RegistryCell> selected() {
		List<String> ids = Cell.selectedIds();
		if (ids.isEmpty()) {
			return all();
		}
		Cell.checkKnown(ids);
		return all().stream().filter((cell) -> ids.contains(cell.id())).collect(Collectors.toList());
	}

	/**
	 * Return a short name, usable as a Spring application name, a ZooKeeper path segment
	 * and a file name.
	 * @return for example {@code boot27-registry-jdk8}
	 */
	public String id() {
		return this.line.module() + "-" + this.jdk.name().toLowerCase(Locale.ROOT).replace("_", "");
	}

	@Override
	public String toString() {
		return this.line + " on " + this.jdk;
	}

}
