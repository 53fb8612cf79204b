package io.cse.ready;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown at start-up when {@link ServerlessReady @ServerlessReady},
 * {@link BeforeCheckpoint @BeforeCheckpoint} or {@link AfterRestore @AfterRestore} is
 * misused. It lists every problem found, not only the first.
 */
public class ServerlessReadyMisuseException extends IllegalStateException {

	private final List<Misuse> misuses;

	/**
	 * Create an exception for the given problems.
	 * @param misuses what is wrong, at least one
	 */
	public ServerlessReadyMisuseException(List<Misuse> misuses) {
		super(misuses.size() + " misuse(s) of @ServerlessReady:" + misuses.stream()
			.map((misuse) -> System.lineSeparator() + " - " + misuse.describe())
			.collect(Collectors.joining()));
		this.misuses = List.copyOf(misuses);
	}

	/**
	 * Return what is wrong.
	 * @return the problems, in the order of the beans
	 */
	public List<Misuse> getMisuses() {
		return this.misuses;
	}

	/**
	 * One misuse.
	 *
	 * @param beanName the name of the bean
	 * @param type the bean's class
	 * @param member the method (with its parameter types) or annotation at fault
	 * @param problem what is wrong
	 * @param fix what to do about it
	 */
	public record Misuse(String beanName, String type, String member, String problem, String fix) {

		/**
		 * Return a one-line description of the problem, with its fix.
		 * @return the description
		 */
		public String describe() {
			return "bean '" + this.beanName + "' (" + this.type + "), " + this.member + ": " + this.problem
					+ ". Fix: " + this.fix;
		}

	}

}
