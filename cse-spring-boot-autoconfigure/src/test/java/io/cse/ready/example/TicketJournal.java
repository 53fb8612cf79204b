package io.cse.ready.example;

import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

/**
 * Where {@link TicketService} writes what happened to it: a stand-in for a file or a
 * database table.
 */
@Component
public class TicketJournal {

	private final List<String> entries = new ArrayList<>();

	public synchronized void flush(String entry) {
		this.entries.add(entry);
	}

	public synchronized List<String> getEntries() {
		return List.copyOf(this.entries);
	}

}
