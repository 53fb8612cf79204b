package io.cse.endpoint;

import java.util.List;
import java.util.stream.Collectors;

import io.cse.ready.HazardCheckReport;
import io.cse.ready.HazardCheckReport.Hook;
import io.cse.ready.HazardCheckReport.ReadyBean;
import io.cse.ready.UniquenessHazard;

/**
 * What the start-up hazard check found in the {@code @ServerlessReady} beans: what
 * {@code GET /actuator/cse/hazardCheck} answers.
 */
public final class HazardCheckDescriptor {

	private final String status;

	private final List<ReadyBeanDescriptor> beans;

	private final List<HazardDescriptor> hazards;

	private HazardCheckDescriptor(HazardCheckReport report) {
		UniquenessHazard.Severity highest = report.highestSeverity();
		this.status = (highest != null) ? highest.name() : "OK";
		this.beans = report.beans().stream().map(ReadyBeanDescriptor::new).collect(Collectors.toList());
		this.hazards = report.hazards().stream().map(HazardDescriptor::new).collect(Collectors.toList());
	}

	static HazardCheckDescriptor of(HazardCheckReport report) {
		return new HazardCheckDescriptor(report);
	}

	/**
	 * Return the outcome of the check.
	 * @return {@code OK} if no hazard was found, else the highest severity found
	 * ({@code WARN} or {@code ERROR})
	 */
	public String getStatus() {
		return this.status;
	}

	/**
	 * Return the {@code @ServerlessReady} beans.
	 * @return every such bean, with its hooks in the order they run
	 */
	public List<ReadyBeanDescriptor> getBeans() {
		return this.beans;
	}

	/**
	 * Return the hazards found.
	 * @return every uniqueness hazard found, with its fix
	 */
	public List<HazardDescriptor> getHazards() {
		return this.hazards;
	}

	/**
	 * A {@code @ServerlessReady} bean.
	 */
	public static final class ReadyBeanDescriptor {

		private final String name;

		private final String type;

		private final List<HookDescriptor> beforeCheckpoint;

		private final List<HookDescriptor> afterRestore;

		private final List<String> ignoredHazards;

		private final List<String> publishedBy;

		private ReadyBeanDescriptor(ReadyBean bean) {
			this.name = bean.name();
			this.type = bean.type();
			this.beforeCheckpoint = HookDescriptor.of(bean.beforeCheckpoint());
			this.afterRestore = HookDescriptor.of(bean.afterRestore());
			this.ignoredHazards = bean.ignoredHazards();
			this.publishedBy = bean.publishedBy();
		}

		/**
		 * Return the bean's name.
		 * @return the name
		 */
		public String getName() {
			return this.name;
		}

		/**
		 * Return the bean's class.
		 * @return the class name
		 */
		public String getType() {
			return this.type;
		}

		/**
		 * Return its {@code @BeforeCheckpoint} methods.
		 * @return the methods with their order
		 */
		public List<HookDescriptor> getBeforeCheckpoint() {
			return this.beforeCheckpoint;
		}

		/**
		 * Return its {@code @AfterRestore} methods.
		 * @return the methods with their order
		 */
		public List<HookDescriptor> getAfterRestore() {
			return this.afterRestore;
		}

		/**
		 * Return the fields left out of the check.
		 * @return the field names
		 */
		public List<String> getIgnoredHazards() {
			return this.ignoredHazards;
		}

		/**
		 * Return the publishers that publish the bean as an RPC provider, and take it
		 * offline while the instance is quiesced.
		 * @return the publishers' names
		 */
		public List<String> getPublishedBy() {
			return this.publishedBy;
		}

	}

	/**
	 * A hook method.
	 */
	public static final class HookDescriptor {

		private final String method;

		private final int order;

		private HookDescriptor(Hook hook) {
			this.method = hook.method();
			this.order = hook.order();
		}

		static List<HookDescriptor> of(List<Hook> hooks) {
			return hooks.stream().map(HookDescriptor::new).collect(Collectors.toList());
		}

		/**
		 * Return the method's name and parameter types.
		 * @return the method
		 */
		public String getMethod() {
			return this.method;
		}

		/**
		 * Return the hook's order.
		 * @return the order
		 */
		public int getOrder() {
			return this.order;
		}

	}

	/**
	 * A uniqueness hazard.
	 */
	public static final class HazardDescriptor {

		private final String severity;

		private final String bean;

		private final String type;

		private final String field;

		private final boolean staticField;

		private final String fieldType;

		private final String reason;

		private final String fix;

		private HazardDescriptor(UniquenessHazard hazard) {
			this.severity = hazard.severity().name();
			this.bean = hazard.beanName();
			this.type = hazard.type();
			this.field = hazard.field();
			this.staticField = hazard.staticField();
			this.fieldType = hazard.fieldType();
			this.reason = hazard.reason();
			this.fix = hazard.fix();
		}

		/**
		 * Return how sure the check is.
		 * @return {@code ERROR} or {@code WARN}
		 */
		public String getSeverity() {
			return this.severity;
		}

		/**
		 * Return the bean's name.
		 * @return the name, or {@code null} for a generator of the JVM itself
		 */
		public String getBean() {
			return this.bean;
		}

		/**
		 * Return the class that declares the field.
		 * @return the class name
		 */
		public String getType() {
			return this.type;
		}

		/**
		 * Return the field's name.
		 * @return the name
		 */
		public String getField() {
			return this.field;
		}

		/**
		 * Return whether the field is static.
		 * @return whether it is static
		 */
		public boolean isStaticField() {
			return this.staticField;
		}

		/**
		 * Return the field's type.
		 * @return the type's name
		 */
		public String getFieldType() {
			return this.fieldType;
		}

		/**
		 * Return why a clone would be wrong with the field.
		 * @return the reason
		 */
		public String getReason() {
			return this.reason;
		}

		/**
		 * Return what to do about it.
		 * @return the fix
		 */
		public String getFix() {
			return this.fix;
		}

	}

}
