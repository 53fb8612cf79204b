package io.cse.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * The table of docs/reliability.md: every case of the suite adds a row once its checks
 * passed, saying what it did, what a user must see and what the suite saw. When the whole
 * run ends the table is written to {@code target/reliability/cases.md}, and into
 * docs/reliability.md with {@code -Dcse.docs.regenerate=true}.
 */
public final class CaseTable implements BeforeAllCallback {

	static final String START = "<!-- reliability:cases -->";

	static final String END = "<!-- /reliability:cases -->";

	private static Rows rows;

	@Override
	public void beforeAll(ExtensionContext context) {
		// A resource of the root context is closed when the whole run ends: after the last class
		synchronized (CaseTable.class) {
			rows = context.getRoot().getStore(Namespace.GLOBAL).getOrComputeIfAbsent(Rows.class);
		}
	}

	/**
	 * Add a row for a case whose checks passed.
	 * @param area what the case exercises ("endpoint", "agent API", "images", ...)
	 * @param input what the suite did
	 * @param expected what a user must see, and what must not change
	 * @param seen what the suite saw (a status and the start of the message, counts)
	 */
	public static void row(String area, String input, String expected, String seen) {
		synchronized (CaseTable.class) {
			if (rows == null) {
				throw new IllegalStateException("a reliability test must be annotated @ExtendWith(CaseTable.class)");
			}
			rows.add(new Row(area, input, expected, seen));
		}
	}

	record Row(String area, String input, String expected, String seen) {

		String markdown() {
			return "| " + cell(this.area) + " | " + cell(this.input) + " | " + cell(this.expected) + " | "
					+ cell(this.seen) + " |";
		}

		private static String cell(String text) {
			String flat = text.replace("\r", "").replace("\n", " ").replace("|", "\\|");
			return (flat.length() > 160) ? flat.substring(0, 157) + "..." : flat;
		}

	}

	static final class Rows implements ExtensionContext.Store.CloseableResource {

		private final List<Row> rows = new ArrayList<>();

		synchronized void add(Row row) {
			this.rows.add(row);
		}

		@Override
		public synchronized void close() throws IOException {
			List<Row> sorted = new ArrayList<>(this.rows);
			sorted.sort(Comparator.comparing(Row::area));
			StringBuilder table = new StringBuilder();
			table.append(START).append('\n');
			table.append(sorted.size()).append(" cases, every one passed in the run that wrote this table (")
				.append(System.getProperty("java.vm.name"))
				.append(' ')
				.append(System.getProperty("java.version"))
				.append(", Linux ")
				.append(System.getProperty("os.version"))
				.append(", ")
				.append(Runtime.getRuntime().availableProcessors())
				.append(" cores).\n\n");
			table.append("| area | what the suite did | what a user must see | what it saw |\n|---|---|---|---|\n");
			for (Row row : sorted) {
				table.append(row.markdown()).append('\n');
			}
			table.append(END).append('\n');
			Path written = Path.of("target", "reliability", "cases.md");
			Files.createDirectories(written.getParent());
			Files.writeString(written, table, StandardCharsets.UTF_8);
			if (Boolean.getBoolean("cse.docs.regenerate")) {
				regenerate(Path.of(System.getProperty("cse.docs", "../docs")).resolve("reliability.md"),
						table.toString());
			}
		}

		private static void regenerate(Path page, String table) {
			try {
				String text = Files.readString(page, StandardCharsets.UTF_8);
				int start = text.indexOf(START);
				int end = text.indexOf(END);
				if (start < 0 || end < start) {
					throw new IllegalStateException(page + " has no " + START + " ... " + END + " section");
				}
				Files.writeString(page, text.substring(0, start) + table + text.substring(end + END.length() + 1),
						StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
