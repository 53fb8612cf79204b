package io.cse.ready;

import java.util.List;

/**
 * A {@link ServerlessReady @ServerlessReady} bean that passed the checks of its
 * annotations, with its hook methods, before its fields are inspected.
 */
final class ReadyBeanCandidate {

	private final String name;

	private final Class<?> type;

	private final List<String> ignoredHazards;

	private final List<HookMethod> beforeCheckpoint;

	private final List<HookMethod> afterRestore;

	ReadyBeanCandidate(String name, Class<?> type, List<String> ignoredHazards, List<HookMethod> beforeCheckpoint,
			List<HookMethod> afterRestore) {
		this.name = name;
		this.type = type;
		this.ignoredHazards = ignoredHazards;
		this.beforeCheckpoint = beforeCheckpoint;
		this.afterRestore = afterRestore;
	}

	String name() {
		return this.name;
	}

	Class<?> type() {
		return this.type;
	}

	List<String> ignoredHazards() {
		return this.ignoredHazards;
	}

	List<HookMethod> beforeCheckpoint() {
		return this.beforeCheckpoint;
	}

	List<HookMethod> afterRestore() {
		return this.afterRestore;
	}

}
