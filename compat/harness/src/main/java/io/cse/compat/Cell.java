package io.cse.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One cell of the matrix: a Spring Boot line's service on one JDK.
 *
 * @param line the Spring Boot line
 * @param jdk the JDK its service runs on
 */
public record Cell(BootLine line, Jdk jdk) {

	/** System property: the ids of the cells to run (default: all). */
	public static final String CELLS_PROPERTY = "cse.compat.cells";

	/**
	 * Return every cell: each line on each of its JDKs.
	 * @return the cells, line by line
	 */
	public static List<Cell> all() {
		List<Cell> cells = new ArrayList<>();
		for (BootLine line : BootLine.values()) {
			for (Jdk jdk : line.jdks()) {
				cells.add(new Cell(line, jdk));
			}
		}
		return cells;
	}

	/**
	 * Return the cells a run covers: all of them, or those named (comma-separated ids) by the
	 * system property {@value #CELLS_PROPERTY}, for example
	 * {@code -Dcse.compat.cells=boot35-jdk17,boot40-jdk25} (none if it names only
	 * {@link RegistryCell registry cells}).
	 * @return the cells
	 */
	public static List<Cell> selected() {
		List<String> ids = selectedIds();
		if (ids.isEmpty()) {
			return all();
		}
		checkKnown(ids);
		return all().stream().filter((cell) -> ids.contains(cell.id())).toList();
	}

	/**
	 * Return the cells with the given ids, in the order of the matrix.
	 * @param ids ids as {@link #id()} gives them
	 * @return the cells
	 * @throws IllegalArgumentException naming the cells there are, if an id is unknown
	 */
	public static List<Cell> named(List<String> ids) {
		List<Cell> all = all();
		for (String id : ids) {
			if (all.stream().noneMatch((cell) -> cell.id().equals(id))) {
				throw new IllegalArgumentException("No cell '" + id + "'; the cells are "
						+ all.stream().map(Cell::id).toList());
			}
		}
		return all.stream().filter((cell) -> ids.contains(cell.id())).toList();
	}

	/**
	 * Return the ids that the system property {@value #CELLS_PROPERTY} names.
	 * @return the ids, empty for all cells
	 */
	static List<String> selectedIds() {
		String ids = System.getProperty(CELLS_PROPERTY, "").strip();
		return ids.isEmpty() ? List.of() : List.of(ids.split("\\s*,\\s*"));
	}

	/**
	 * Check that every id names a cell of the matrix, a registry cell or a Kafka cell.
	 * @param ids cell ids
	 * @throws IllegalArgumentException naming the cells there are, if an id is unknown
	 */
	static void checkKnown(List<String> ids) {
		List<String> known = new ArrayList<>(all().stream().map(Cell::id).toList());
		known.addAll(RegistryCell.all().stream().map(RegistryCell::id).toList());
		known.addAll(ClientCell.ids());
		for (String id : ids) {
			if (!known.contains(id)) {
				throw new IllegalArgumentException("No cell '" + id + "' (" + CELLS_PROPERTY + "); the cells are " + known);
			}
		}
	}

	/**
	 * Return a short name, usable as a PostgreSQL {@code application_name}, an instance name
	 * of {@code cse} and a file name.
	 * @return for example {@code boot35-jdk25}
	 */
	public String id() {
		return this.line.module() + "-" + this.jdk.name().toLowerCase(Locale.ROOT).replace("_", "");
	}

	@Override
	public String toString() {
		return this.line + " on " + this.jdk;
	}

}
