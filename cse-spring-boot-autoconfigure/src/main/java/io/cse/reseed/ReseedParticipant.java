package io.cse.reseed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointParticipant;
import io.cse.entropy.Reseeder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Runs every {@link Reseeder} when the instance comes back from an image: as a new clone of
 * a template, or as the same instance restored from a dump (an image can be restored more
 * than once, and each restore would otherwise repeat the same random sequences).
 * <p>
 * Its order is the highest of the starter's participants, so it quiesces last and resumes
 * first: the generators are renewed before the traffic gate lets requests in again and
 * before any executor, pool or {@code @AfterRestore} method runs. A thaw or a rollback
 * leaves the generators alone: the process was not copied.
 * <p>
 * A reseeder that fails does not keep the others from running; the resume then fails with
 * the names of the reseeders that failed (the instance serves, and the restore's report says
 * which generators are still shared).
 */
public class ReseedParticipant implements CheckpointParticipant {

	/** Quiesces after, and resumes before, every other participant of the starter. */
	public static final int ORDER = 1000;

	private static final Log logger = LogFactory.getLog(ReseedParticipant.class);

	private final List<Reseeder> reseeders;

	/**
	 * Create a participant that runs the given reseeders, in order.
	 * @param reseeders the reseeders
	 */
	public ReseedParticipant(List<? extends Reseeder> reseeders) {
		this.reseeders = Collections.unmodifiableList(new ArrayList<>(reseeders));
	}

	@Override
	public String getName() {
		return "reseed";
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void quiesce(CheckpointContext context) {
		if (context.operation() == Operation.FREEZE) {
			return;
		}
		for (Reseeder reseeder : this.reseeders) {
			try {
				reseeder.prepare();
			}
			catch (Exception ex) {
				// The restore looks again for what the snapshot could not find now.
				logger.warn("Reseeder '" + reseeder.getName() + "' could not prepare: " + ex.getMessage(), ex);
			}
		}
	}

	@Override
	public void resume(CheckpointContext context) throws Exception {
		if (context.resumption() != Resumption.CLONE && context.resumption() != Resumption.RESTORE) {
			return;
		}
		long start = System.nanoTime();
		List<String> failures = new ArrayList<>();
		StringBuilder counts = new StringBuilder();
		for (Reseeder reseeder : this.reseeders) {
			long reseederStart = System.nanoTime();
			try {
				int reseeded = reseeder.reseed();
				counts.append((counts.length() > 0) ? ", " : "")
					.append(reseeder.getName())
					.append('=')
					.append(reseeded)
					.append(" in ")
					.append((System.nanoTime() - reseederStart) / 1000)
					.append(" us");
			}
			catch (Exception ex) {
				logger.error("Reseeder '" + reseeder.getName() + "' failed: its generators go on with the sequence "
						+ "they had before the snapshot, shared with every other restore of the image", ex);
				failures.add(reseeder.getName() + ": " + ex.getMessage());
			}
		}
		if (logger.isInfoEnabled()) {
			logger.info("Reseeded random generators after the " + context.resumption().name().toLowerCase(Locale.ROOT)
					+ " in " + (System.nanoTime() - start) / 1000 + " us (" + counts + ")");
		}
		if (!failures.isEmpty()) {
			throw new IllegalStateException("Random generators could not be reseeded and repeat what other restores of "
					+ "this image produce: " + String.join("; ", failures));
		}
	}

}
