package io.cse.endpoint;

import java.util.List;

import io.cse.ready.HazardCheckReport;
import io.cse.ready.HazardCheckReport.Hook;
import io.cse.ready.HazardCheckReport.ReadyBean;
import io.cse.ready.UniquenessHazard;

/**
 * What the start-up hazard check found in the {@code @ServerlessReady} beans: what
 * {@code GET /actuator/cse/hazardCheck} answers.
 *
 * @param status {@code OK} if no hazard was found, else the highest severity found
 * ({@code WARN} or {@code ERROR})
 * @param beans every {@code @ServerlessReady} bean, with its hooks in the order they run
 * @param hazards every uniqueness hazard found, with its fix
 */
public record HazardCheckDescriptor(String status, List<ReadyBeanDescriptor> beans, List<HazardDescriptor> hazards) {

	static HazardCheckDescriptor of(HazardCheckReport report) {
		UniquenessHazard.Severity highest = report.highestSeverity();
		return new HazardCheckDescriptor((highest != null) ? highest.name() : "OK",
				report.beans().stream().map(ReadyBeanDescriptor::of).toList(),
				report.hazards().stream().map(HazardDescriptor::of).toList());
	}

	/**
	 * A {@code @ServerlessReady} bean.
	 *
	 * @param name the bean's name
	 * @param type the bean's class
	 * @param beforeCheckpoint its {@code @BeforeCheckpoint} methods with their order
	 * @param afterRestore its {@code @AfterRestore} methods with their order
	 * @param ignoredHazards the fields left out of the check
	 * @param publishedBy the publishers that publish the bean as an RPC provider, and take
	 * it offline while the instance is quiesced
	 */
	public record ReadyBeanDescriptor(String name, String type, List<HookDescriptor> beforeCheckpoint,
			List<HookDescriptor> afterRestore, List<String> ignoredHazards, List<String> publishedBy) {

		static ReadyBeanDescriptor of(ReadyBean bean) {
			return new ReadyBeanDescriptor(bean.name(), bean.type(), HookDescriptor.of(bean.beforeCheckpoint()),
					HookDescriptor.of(bean.afterRestore()), bean.ignoredHazards(), bean.publishedBy());
		}

	}

	/**
	 * A hook method.
	 *
	 * @param method the method's name and parameter types
	 * @param order its order
	 */
	public record HookDescriptor(String method, int order) {

		static List<HookDescriptor> of(List<Hook> hooks) {
			return hooks.stream().map((hook) -> new HookDescriptor(hook.method(), hook.order())).toList();
		}

	}

	/**
	 * A uniqueness hazard.
	 *
	 * @param severity {@code ERROR} or {@code WARN}
	 * @param bean the bean's name, or {@code null} for a generator of the JVM itself
	 * @param type the class that declares the field
	 * @param field the field's name
	 * @param staticField whether the field is static
	 * @param fieldType the field's type
	 * @param reason why a clone would be wrong with it
	 * @param fix what to do about it
	 */
	public record HazardDescriptor(String severity, String bean, String type, String field, boolean staticField,
			String fieldType, String reason, String fix) {

		static HazardDescriptor of(UniquenessHazard hazard) {
			return new HazardDescriptor(hazard.severity().name(), hazard.beanName(), hazard.type(), hazard.field(),
					hazard.staticField(), hazard.fieldType(), hazard.reason(), hazard.fix());
		}

	}

}
