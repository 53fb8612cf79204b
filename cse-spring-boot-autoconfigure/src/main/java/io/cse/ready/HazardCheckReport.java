package io.cse.ready;

import java.util.List;

import io.cse.ready.UniquenessHazard.Severity;

/**
 * What the start-up hazard check found: the {@link ServerlessReady @ServerlessReady} beans,
 * their hooks, and their uniqueness hazards.
 *
 * @param beans every {@code @ServerlessReady} bean, in registration order
 * @param hazards every uniqueness hazard found, bean by bean
 */
public record HazardCheckReport(List<ReadyBean> beans, List<UniquenessHazard> hazards) {

	/** The report of an application that has not been checked yet, or has no such bean. */
	public static final HazardCheckReport EMPTY = new HazardCheckReport(List.of(), List.of());

	/**
	 * Create a report.
	 * @param beans every {@code @ServerlessReady} bean
	 * @param hazards every uniqueness hazard found
	 */
	public HazardCheckReport {
		beans = List.copyOf(beans);
		hazards = List.copyOf(hazards);
	}

	/**
	 * Return the highest severity found.
	 * @return the highest severity, or {@code null} if no hazard was found
	 */
	public Severity highestSeverity() {
		return this.hazards.stream().map(UniquenessHazard::severity).max(Enum::compareTo).orElse(null);
	}

	/**
	 * A {@code @ServerlessReady} bean.
	 *
	 * @param name the bean's name
	 * @param type the bean's class
	 * @param beforeCheckpoint its {@code @BeforeCheckpoint} methods, in the order they run
	 * @param afterRestore its {@code @AfterRestore} methods, in the order they run
	 * @param ignoredHazards the fields left out of the hazard check
	 * @param publishedBy the names of the {@link io.cse.registry.ProviderPublisher
	 * publishers} that publish the bean as an RPC provider, and so take it offline while the
	 * instance is quiesced
	 */
	public record ReadyBean(String name, String type, List<Hook> beforeCheckpoint, List<Hook> afterRestore,
			List<String> ignoredHazards, List<String> publishedBy) {

		/**
		 * Create a description of a bean.
		 * @param name the bean's name
		 * @param type the bean's class
		 * @param beforeCheckpoint its {@code @BeforeCheckpoint} methods
		 * @param afterRestore its {@code @AfterRestore} methods
		 * @param ignoredHazards the fields left out of the hazard check
		 * @param publishedBy the names of the publishers that publish the bean
		 */
		public ReadyBean {
			beforeCheckpoint = List.copyOf(beforeCheckpoint);
			afterRestore = List.copyOf(afterRestore);
			ignoredHazards = List.copyOf(ignoredHazards);
			publishedBy = List.copyOf(publishedBy);
		}

		/**
		 * Create a description of a bean that no publisher publishes.
		 * @param name the bean's name
		 * @param type the bean's class
		 * @param beforeCheckpoint its {@code @BeforeCheckpoint} methods
		 * @param afterRestore its {@code @AfterRestore} methods
		 * @param ignoredHazards the fields left out of the hazard check
		 */
		public ReadyBean(String name, String type, List<Hook> beforeCheckpoint, List<Hook> afterRestore,
				List<String> ignoredHazards) {
			this(name, type, beforeCheckpoint, afterRestore, ignoredHazards, List.of());
		}

	}

	/**
	 * A hook method.
	 *
	 * @param method the method's name and parameter types, such as
	 * {@code close(CheckpointContext)}
	 * @param order its order
	 */
	public record Hook(String method, int order) {

	}

}
