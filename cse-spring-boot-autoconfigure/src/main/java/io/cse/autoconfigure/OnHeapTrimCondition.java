package io.cse.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless the heap trim is switched off: by {@code cse.memory.trim-heap} or, where
 * that is not set, by the key it replaces, {@code cse.freeze.trim-heap}, as
 * {@link CseProperties} binds them.
 */
class OnHeapTrimCondition extends SpringBootCondition {

	private static final String PROPERTY = "cse.memory.trim-heap";

	private static final String DEPRECATED_PROPERTY = "cse.freeze.trim-heap";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("Heap trim");
		Binder binder = Binder.get(context.getEnvironment());
		String property = PROPERTY;
		Boolean trimHeap = binder.bind(PROPERTY, Boolean.class).orElse(null);
		if (trimHeap == null) {
			property = DEPRECATED_PROPERTY;
			trimHeap = binder.bind(DEPRECATED_PROPERTY, Boolean.class).orElse(null);
		}
		if (trimHeap == null) {
			return ConditionOutcome.match(message.because(PROPERTY + " is not set"));
		}
		return new ConditionOutcome(trimHeap, message.because(property + " is " + trimHeap));
	}

}
