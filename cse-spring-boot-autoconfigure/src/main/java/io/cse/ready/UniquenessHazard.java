package io.cse.ready;

/**
 * A field of a {@link ServerlessReady @ServerlessReady} bean that every clone of the
 * instance would copy, or that a snapshot cannot carry.
 *
 * @param severity how sure the check is that the field is a problem
 * @param beanName the name of the bean, or {@code null} for a generator of the JVM itself
 * @param type the class that declares the field
 * @param field the field's name
 * @param staticField whether the field is static
 * @param fieldType the field's declared type
 * @param reason why a clone would be wrong with it
 * @param fix what to do about it
 */
public record UniquenessHazard(Severity severity, String beanName, String type, String field, boolean staticField,
		String fieldType, String reason, String fix) {

	/**
	 * Return a one-line description of the finding, with its fix.
	 * @return the description
	 */
	public String describe() {
		if (this.beanName == null) {
			return this.severity + " the JVM: " + this.type + " " + this.field + " (" + this.fieldType + ") "
					+ this.reason + ". Fix: " + this.fix;
		}
		return this.severity + " bean '" + this.beanName + "': " + (this.staticField ? "static field " : "field ")
				+ this.type + "." + this.field + " (" + this.fieldType + ") " + this.reason + ". Fix: " + this.fix
				+ "; or, if the bean renews it itself, leave it out with @ServerlessReady(ignoreHazards = \""
				+ this.field + "\")";
	}

	/**
	 * How sure the check is that a field is a problem.
	 */
	public enum Severity {

		/** The field's name suggests a value that must be unique per instance. */
		WARN,

		/** The field's type holds a value or a resource that a clone must not share. */
		ERROR

	}

}
