package io.cse.ready;

/**
 * A field of a {@link ServerlessReady @ServerlessReady} bean that every clone of the
 * instance would copy, or that a snapshot cannot carry.
 */
public final class UniquenessHazard {

	private final Severity severity;

	private final String beanName;

	private final String type;

	private final String field;

	private final boolean staticField;

	private final String fieldType;

	private final String reason;

	private final String fix;

	/**
	 * Create a finding.
	 * @param severity how sure the check is that the field is a problem
	 * @param beanName the name of the bean, or {@code null} for a generator of the JVM itself
	 * @param type the class that declares the field
	 * @param field the field's name
	 * @param staticField whether the field is static
	 * @param fieldType the field's declared type
	 * @param reason why a clone would be wrong with it
	 * @param fix what to do about it
	 */
	public UniquenessHazard(Severity severity, String beanName, String type, String field, boolean staticField,
			String fieldType, String reason, String fix) {
		this.severity = severity;
		this.beanName = beanName;
		this.type = type;
		this.field = field;
		this.staticField = staticField;
		this.fieldType = fieldType;
		this.reason = reason;
		this.fix = fix;
	}

	/**
	 * Return how sure the check is that the field is a problem.
	 * @return the severity
	 */
	public Severity severity() {
		return this.severity;
	}

	/**
	 * Return the name of the bean.
	 * @return the bean's name, or {@code null} for a generator of the JVM itself
	 */
	public String beanName() {
		return this.beanName;
	}

	/**
	 * Return the class that declares the field.
	 * @return the class name
	 */
	public String type() {
		return this.type;
	}

	/**
	 * Return the field's name.
	 * @return the name
	 */
	public String field() {
		return this.field;
	}

	/**
	 * Return whether the field is static.
	 * @return whether it is static
	 */
	public boolean staticField() {
		return this.staticField;
	}

	/**
	 * Return the field's declared type.
	 * @return the type's name
	 */
	public String fieldType() {
		return this.fieldType;
	}

	/**
	 * Return why a clone would be wrong with the field.
	 * @return the reason
	 */
	public String reason() {
		return this.reason;
	}

	/**
	 * Return what to do about the field.
	 * @return the fix
	 */
	public String fix() {
		return this.fix;
	}

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

	@Override
	public String toString() {
		return describe();
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
