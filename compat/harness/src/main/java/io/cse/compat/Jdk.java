package io.cse.compat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JDK a cell runs its service on: where it is installed, the variable that points
 * elsewhere, and how to install it when it is missing.
 */
public enum Jdk {

	JDK_8("8", "1.8", "CSE_JDK8", "/opt/cse/jdk8", "run scripts/install-jdk.sh 8 as root"),

	JDK_11("11", "11", "CSE_JDK11", "/opt/cse/jdk11", "run scripts/install-jdk.sh 11 as root"),

	JDK_17("17", "17", "CSE_JDK17", null, "run the suite on a JDK 17 or set CSE_JDK17 to one"),

	JDK_25("25", "25", "CSE_JDK25", "/usr/lib/jvm/temurin-25-jdk-amd64",
			"install Temurin 25 (CI machines have it in /usr/lib/jvm/temurin-25-jdk-amd64)");

	private final String feature;

	private final String specificationVersion;

	private final String variable;

	private final String defaultHome;

	private final String install;

	Jdk(String feature, String specificationVersion, String variable, String defaultHome, String install) {
		this.feature = feature;
		this.specificationVersion = specificationVersion;
		this.variable = variable;
		this.defaultHome = defaultHome;
		this.install = install;
	}

	/**
	 * Return the version a JVM of this JDK reports as {@code java.specification.version}.
	 * @return {@code 1.8}, {@code 11}, {@code 17} or {@code 25}
	 */
	public String specificationVersion() {
		return this.specificationVersion;
	}

	/**
	 * Return the JDK's home: the variable's value if set, else where the project's scripts
	 * (or the machine) put it; JDK 17 defaults to the JDK running this code when that is 17.
	 * @return the home folder, which may not exist
	 */
	public Path home() {
		String configured = System.getenv(this.variable);
		if (configured != null && !configured.isBlank()) {
			return Path.of(configured);
		}
		if (this.defaultHome != null) {
			return Path.of(this.defaultHome);
		}
		if (Runtime.version().feature() == 17) {
			return Path.of(System.getProperty("java.home"));
		}
		return Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
	}

	/**
	 * Return the JDK's {@code java}, or fail with what to do when it is missing. A missing
	 * JDK fails its cells: the matrix is what CI promises, so nothing in it is skipped.
	 * @return the executable
	 * @throws IllegalStateException if the JDK is not installed
	 */
	public Path java() {
		Path java = home().resolve("bin").resolve("java");
		if (!Files.isExecutable(java)) {
			throw new IllegalStateException("No JDK " + this.feature + " at " + home() + ": " + this.install + " (or set "
					+ this.variable + " to a JDK " + this.feature + " home)");
		}
		return java;
	}

	@Override
	public String toString() {
		return "JDK " + this.feature;
	}

}
