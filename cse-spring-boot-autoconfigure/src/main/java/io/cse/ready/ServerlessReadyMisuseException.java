package io.cse.ready;

import java.util.ArrayList;
import java.util.Collections;
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
		this.misuses = Collections.unmodifiableList(new ArrayList<>(misuses));
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
	 */
	public static final class Misuse {

		private final String beanName;

		private final String type;

		private final String member;

		private final String problem;

		private final String fix;

		/**
		 * Create a description of a misuse.
		 * @param beanName the name of the bean
		 * @param type the bean's class
		 * @param member the method (with its parameter types) or annotation at fault
		 * @param problem what is wrong
		 * @param fix what to do about it
		 */
		public Misuse(String beanName, String type, String member, String problem, String fix) {
			this.beanName = beanName;
			this.type = type;
			this.member = member;
			this.problem = problem;
			this.fix = fix;
		}

		/**
		 * Return the name of the bean.
		 * @return the bean's name
		 */
		public String beanName() {
			return this.beanName;
		}

		/**
		 * Return the bean's class.
		 * @return the class name
		 */
		public String type() {
			return this.type;
		}

		/**
		 * Return the method or annotation at fault.
		 * @return the method (with its parameter types) or annotation
		 */
		public String member() {
			return this.member;
		}

		/**
		 * Return what is wrong.
		 * @return the problem
		 */
		public String problem() {
			return this.problem;
		}

		/**
		 * Return what to do about it.
		 * @return the fix
		 */
		public String fix() {
			return this.fix;
		}

		/**
		 * Return a one-line description of the problem, with its fix.
		 * @return the description
		 */
		public String describe() {
			return "bean '" + this.beanName + "' (" + this.type + "), " + this.member + ": " + this.problem
					+ ". Fix: " + this.fix;
		}

		@Override
		public String toString() {
			return describe();
		}

	}

}
