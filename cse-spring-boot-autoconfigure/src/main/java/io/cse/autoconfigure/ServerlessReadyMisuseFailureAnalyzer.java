package io.cse.autoconfigure;

import io.cse.ready.ServerlessReadyMisuseException;
import io.cse.ready.ServerlessReadyMisuseException.Misuse;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link ServerlessReadyMisuseException}: every misuse, and how to fix it.
 */
class ServerlessReadyMisuseFailureAnalyzer extends AbstractFailureAnalyzer<ServerlessReadyMisuseException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ServerlessReadyMisuseException cause) {
		String newLine = System.lineSeparator();
		StringBuilder description = new StringBuilder("@ServerlessReady beans are misused:").append(newLine);
		StringBuilder action = new StringBuilder("Fix each of them:").append(newLine);
		for (Misuse misuse : cause.getMisuses()) {
			description.append(newLine)
				.append("    - bean '")
				.append(misuse.beanName())
				.append("' (")
				.append(misuse.type())
				.append("), ")
				.append(misuse.member())
				.append(": ")
				.append(misuse.problem());
			action.append(newLine)
				.append("    - bean '")
				.append(misuse.beanName())
				.append("', ")
				.append(misuse.member())
				.append(": ")
				.append(misuse.fix());
		}
		return new FailureAnalysis(description.toString(), action.toString(), cause);
	}

}
