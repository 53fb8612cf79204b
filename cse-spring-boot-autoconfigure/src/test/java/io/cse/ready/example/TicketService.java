package io.cse.ready.example;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import io.cse.CheckpointContext;
import io.cse.InstanceIdentity;
import io.cse.ready.AfterRestore;
import io.cse.ready.BeforeCheckpoint;
import io.cse.ready.ServerlessReady;

import org.springframework.stereotype.Service;

/**
 * A service made ready for clones: its ticket numbers are unique across every clone of an
 * instance, because their prefix comes from {@link InstanceIdentity} and its random source
 * is renewed after a clone restore.
 */
@Service
@ServerlessReady(ignoreHazards = "random")
public class TicketService {

	private final TicketJournal journal;

	private final AtomicLong sequence = new AtomicLong();

	private volatile String prefix;

	// Renewed below after a clone restore, so left out of the hazard check.
	private volatile Random random = new Random();

	public TicketService(InstanceIdentity identity, TicketJournal journal) {
		this.journal = journal;
		this.prefix = prefixOf(identity);
	}

	public String nextTicket() {
		return this.prefix + "-" + this.sequence.incrementAndGet() + "-" + this.random.nextInt(10_000);
	}

	@BeforeCheckpoint
	void flushJournal(CheckpointContext context) {
		this.journal.flush("before " + context.operation());
	}

	@AfterRestore
	void renewAfterClone(CheckpointContext context) {
		if (context.isClone()) {
			this.prefix = prefixOf(context.identity());
			this.sequence.set(0);
			this.random = new Random();
		}
		this.journal.flush("after " + context.resumption());
	}

	private static String prefixOf(InstanceIdentity identity) {
		return identity.getInstanceId().substring(0, 8);
	}

}
