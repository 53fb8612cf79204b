package io.cse.entropy;

/**
 * Renews random generators that were seeded before a snapshot, so that every process
 * restored from the image goes on with a sequence of its own.
 * <p>
 * The starter ({@code io.cse.reseed.ReseedParticipant}) calls {@link #prepare()} while the
 * instance is quiesced for a snapshot, and {@link #reseed()} on every restore of the image
 * (a clone, or the same instance restored again), before traffic comes back. Declare an
 * implementation as a bean to renew a generator of your own that the starter cannot see.
 * <p>
 * This package needs nothing but the JDK: no Spring, no Java 9+ API.
 */
public interface Reseeder {

	/**
	 * Return the name under which this reseeder appears in logs and errors.
	 * @return a short, unique name
	 */
	String getName();

	/**
	 * Find what to reseed, while the instance is quiesced before a snapshot: work done here
	 * is copied into the image instead of slowing down every restore.
	 * @throws Exception if the generators cannot be found; the snapshot goes on, and the
	 * restore reseeds what it can
	 */
	default void prepare() throws Exception {
	}

	/**
	 * Reseed the generators from the operating system's entropy.
	 * @return how many generators were reseeded
	 * @throws Exception if a generator could not be reseeded
	 */
	int reseed() throws Exception;

}
