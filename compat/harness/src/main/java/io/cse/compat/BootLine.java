package io.cse.compat;

import java.nio.file.Path;
import java.util.List;

/**
 * A Spring Boot line of the suite: the latest patch of it served by Maven Central, the
 * module under {@code compat/} that builds the service against it (with that line's own
 * parent), the JDKs it runs on, and how a user of that line opens the cse endpoint.
 */
public enum BootLine {

	BOOT_2_7("2.7.18", "boot27", List.of(Jdk.JDK_8, Jdk.JDK_11, Jdk.JDK_17)),

	BOOT_3_0("3.0.13", "boot30", List.of(Jdk.JDK_17)),

	BOOT_3_1("3.1.12", "boot31", List.of(Jdk.JDK_17)),

	BOOT_3_2("3.2.12", "boot32", List.of(Jdk.JDK_17)),

	BOOT_3_3("3.3.13", "boot33", List.of(Jdk.JDK_17)),

	BOOT_3_4("3.4.13", "boot34", List.of(Jdk.JDK_17)),

	BOOT_3_5("3.5.16", "boot35", List.of(Jdk.JDK_17, Jdk.JDK_25)),

	BOOT_4_0("4.0.9", "boot40", List.of(Jdk.JDK_17, Jdk.JDK_25));

	/** System property: the {@code compat/} folder (failsafe sets it). */
	public static final String HOME_PROPERTY = "cse.compat.home";

	/** System property: the version of the service modules (failsafe sets it). */
	public static final String VERSION_PROPERTY = "cse.compat.version";

	private final String version;

	private final String module;

	private final List<Jdk> jdks;

	BootLine(String version, String module, List<Jdk> jdks) {
		this.version = version;
		this.module = module;
		this.jdks = jdks;
	}

	/**
	 * Return the Spring Boot version the service is built against (its parent's).
	 * @return the version, such as {@code 3.5.16}
	 */
	public String version() {
		return this.version;
	}

	/**
	 * Return the module under {@code compat/} that builds this line's service.
	 * @return the module's folder name, such as {@code boot35}
	 */
	public String module() {
		return this.module;
	}

	/**
	 * Return the JDKs the suite runs this line's service on.
	 * @return the JDKs, oldest first
	 */
	public List<Jdk> jdks() {
		return this.jdks;
	}

	/**
	 * Return the arguments that open the cse endpoint the way a user of this line does:
	 * {@code management.endpoint.cse.access} from 3.4 on (where {@code Access} came in),
	 * {@code management.endpoint.cse.enabled} before.
	 * @return command-line arguments for the service
	 */
	public List<String> endpointSwitch() {
		boolean access = compareTo(BOOT_3_4) >= 0;
		return List.of(access ? "--management.endpoint.cse.access=unrestricted"
				: "--management.endpoint.cse.enabled=true");
	}

	/**
	 * Return the service's executable jar, as {@code spring-boot-maven-plugin} repackaged it.
	 * @return the jar under {@code compat/<module>/target}
	 */
	public Path jar() {
		return jar(this.module);
	}

	/**
	 * Return the executable jar of a service module of the suite, as
	 * {@code spring-boot-maven-plugin} repackaged it.
	 * @param module the module's folder name under {@code compat/}
	 * @return the jar under {@code compat/<module>/target}
	 */
	static Path jar(String module) {
		String home = System.getProperty(HOME_PROPERTY, "..");
		String projectVersion = System.getProperty(VERSION_PROPERTY, "0.1.0-SNAPSHOT");
		return Path.of(home, module, "target", "compat-" + module + "-" + projectVersion + ".jar")
			.toAbsolutePath()
			.normalize();
	}

	@Override
	public String toString() {
		return "Spring Boot " + this.version;
	}

}
