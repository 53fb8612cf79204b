package io.cse.autoconfigure;

import java.util.Locale;

import io.cse.ready.UniquenessHazard;
import io.cse.ready.UniquenessHazardException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link UniquenessHazardException}: every hazard that stopped the start-up,
 * and how to fix it.
 */
class UniquenessHazardFailureAnalyzer extends AbstractFailureAnalyzer<UniquenessHazardException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UniquenessHazardException cause) {
		String newLine = System.lineSeparator();
		String failOn = cause.getFailOn().name().toLowerCase(Locale.ROOT);
		StringBuilder description = new StringBuilder("@ServerlessReady beans hold values that every clone would copy ")
			.append("(cse.serverless-ready.hazard-check.fail-on=" + failOn + " stops the start-up):")
			.append(newLine);
		StringBuilder action = new StringBuilder("Fix each field:").append(newLine);
		for (UniquenessHazard hazard : cause.getHazards()) {
			String field = (hazard.beanName() == null) ? hazard.type() + " " + hazard.field()
					: (hazard.staticField() ? "static field " : "field ") + hazard.type() + "." + hazard.field();
			String owner = (hazard.beanName() == null) ? " the JVM, " : " bean '" + hazard.beanName() + "', ";
			description.append(newLine)
				.append("    - ")
				.append(hazard.severity())
				.append(owner)
				.append(field)
				.append(" (")
				.append(hazard.fieldType())
				.append(") ")
				.append(hazard.reason());
			action.append(newLine).append("    - ").append(field).append(": ").append(hazard.fix());
		}
		action.append(newLine)
			.append(newLine)
			.append("A field that the bean renews itself, in an @AfterRestore method, can be left out of the check ")
			.append("with @ServerlessReady(ignoreHazards = \"fieldName\"). To report hazards without stopping the ")
			.append("start-up, set cse.serverless-ready.hazard-check.fail-on=none.");
		return new FailureAnalysis(description.toString(), action.toString(), cause);
	}

}
