package io.cse.ready;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import io.cse.ready.UniquenessHazard.Severity;

/**
 * What the start-up hazard check found: the {@link ServerlessReady @ServerlessReady} beans,
 * their hooks, and their uniqueness hazards.
 */
public final class HazardCheckReport {

	/** The report of an application that has not been checked yet, or has no such bean. */
	public static final HazardCheckReport EMPTY = new HazardCheckReport(Collections.emptyList(),
			Collections.emptyList());

	private final List<ReadyBean> beans;

	private final List<UniquenessHazard> hazards;

	/**
	 * Create a report.
	 * @param beans every {@code @ServerlessReady} bean
	 * @param hazards every uniqueness hazard found
	 */
	public HazardCheckReport(List<ReadyBean> beans, List<UniquenessHazard> hazards) {
		this.beans = copyOf(beans);
		this.hazards = copyOf(hazards);
	}

	/**
	 * Return the {@code @ServerlessReady} beans.
	 * @return every {@code @ServerlessReady} bean, in registration order
	 */
	public List<ReadyBean> beans() {
		return this.beans;
	}

	/**
	 * Return the hazards found.
	 * @return every uniqueness hazard found, bean by bean
	 */
	public List<UniquenessHazard> hazards() {
		return this.hazards;
	}

	/**
	 * Return the highest severity found.
	 * @return the highest severity, or {@code null} if no hazard was found
	 */
	public Severity highestSeverity() {
		return this.hazards.stream().map(UniquenessHazard::severity).max(Enum::compareTo).orElse(null);
	}

	static <T> List<T> copyOf(List<T> list) {
		return Collections.unmodifiableList(new ArrayList<>(list));
	}

	/**
	 * A {@code @ServerlessReady} bean.
	 */
	public static final class ReadyBean {

		private final String name;

		private final String type;

		private final List<Hook> beforeCheckpoint;

		private final List<Hook> afterRestore;

		private final List<String> ignoredHazards;

		private final List<String> publishedBy;

		/**
		 * Create a description of a bean.
		 * @param name the bean's name
		 * @param type the bean's class
		 * @param beforeCheckpoint its {@code @BeforeCheckpoint} methods, in the order they run
		 * @param afterRestore its {@code @AfterRestore} methods, in the order they run
		 * @param ignoredHazards the fields left out of the hazard check
		 * @param publishedBy the names of the {@link io.cse.registry.ProviderPublisher
		 * publishers} that publish the bean as an RPC provider, and so take it offline while
		 * the instance is quiesced
		 */
		public ReadyBean(String name, String type, List<Hook> beforeCheckpoint, List<Hook> afterRestore,
				List<String> ignoredHazards, List<String> publishedBy) {
			this.name = name;
			this.type = type;
			this.beforeCheckpoint = copyOf(beforeCheckpoint);
			this.afterRestore = copyOf(afterRestore);
			this.ignoredHazards = copyOf(ignoredHazards);
			this.publishedBy = copyOf(publishedBy);
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
			this(name, type, beforeCheckpoint, afterRestore, ignoredHazards, Collections.emptyList());
		}

		/**
		 * Return the bean's name.
		 * @return the name
		 */
		public String name() {
			return this.name;
		}

		/**
		 * Return the bean's class.
		 * @return the class name
		 */
		public String type() {
			return this.type;
		}

		/**
		 * Return its {@code @BeforeCheckpoint} methods.
		 * @return the methods, in the order they run
		 */
		public List<Hook> beforeCheckpoint() {
			return this.beforeCheckpoint;
		}

		/**
		 * Return its {@code @AfterRestore} methods.
		 * @return the methods, in the order they run
		 */
		public List<Hook> afterRestore() {
			return this.afterRestore;
		}

		/**
		 * Return the fields left out of the hazard check.
		 * @return the field names
		 */
		public List<String> ignoredHazards() {
			return this.ignoredHazards;
		}

		/**
		 * Return the publishers that publish the bean as an RPC provider.
		 * @return the publishers' names
		 */
		public List<String> publishedBy() {
			return this.publishedBy;
		}

	}

	/**
	 * A hook method.
	 */
	public static final class Hook {

		private final String method;

		private final int order;

		/**
		 * Create a description of a hook method.
		 * @param method the method's name and parameter types, such as
		 * {@code close(CheckpointContext)}
		 * @param order its order
		 */
		public Hook(String method, int order) {
			this.method = method;
			this.order = order;
		}

		/**
		 * Return the method's name and parameter types.
		 * @return the method, such as {@code close(CheckpointContext)}
		 */
		public String method() {
			return this.method;
		}

		/**
		 * Return the hook's order.
		 * @return the order
		 */
		public int order() {
			return this.order;
		}

		@Override
		public boolean equals(Object other) {
			if (!(other instanceof Hook)) {
				return false;
			}
			Hook hook = (Hook) other;
			return this.method.equals(hook.method) && this.order == hook.order;
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.method, this.order);
		}

		@Override
		public String toString() {
			return this.method + " (order " + this.order + ")";
		}

	}

}
