package io.cse.compat;

import java.nio.file.Path;
import java.util.List;

/**
 * A Spring Boot line of the suite's registry service ({@code compat/registry-service}):
 * registered by Spring Cloud Zookeeper discovery and publishing a Dubbo service to the
 * same ZooKeeper. The module under {@code compat/} builds it with that line's own parent,
 * Spring Cloud release train and Dubbo line.
 */
public enum RegistryLine {

	BOOT_2_7(BootLine.BOOT_2_7, "boot27-registry", "2021.0.9", "3.1.5", "3.2.14", List.of(Jdk.JDK_8, Jdk.JDK_17));

	private final BootLine bootLine;

	private final String module;

	private final String springCloud;

	private final String springCloudZookeeper;

	private final String dubbo;

	private final List<Jdk> jdks;

	RegistryLine(BootLine bootLine, String module, String springCloud, String springCloudZookeeper, String dubbo,
			List<Jdk> jdks) {
		this.bootLine = bootLine;
		this.module = module;
		this.springCloud = springCloud;
		this.springCloudZookeeper = springCloudZookeeper;
		this.dubbo = dubbo;
		this.jdks = jdks;
	}

	/**
	 * Return the Spring Boot line: its version, and how a user of it opens the endpoint.
	 * @return the line
	 */
	public BootLine bootLine() {
		return this.bootLine;
	}

	/**
	 * Return the module under {@code compat/} that builds this line's registry service.
	 * @return the module's folder name, such as {@code boot27-registry}
	 */
	public String module() {
		return this.module;
	}

	/**
	 * Return the Spring Cloud Zookeeper version that the service's release train brings.
	 * @return the version, such as {@code 3.1.5}
	 */
	public String springCloudZookeeper() {
		return this.springCloudZookeeper;
	}

	/**
	 * Return the Apache Dubbo version the service is built with.
	 * @return the version, such as {@code 3.2.14}
	 */
	public String dubbo() {
		return this.dubbo;
	}

	/**
	 * Return the JDKs the suite runs this line's registry service on.
	 * @return the JDKs, oldest first
	 */
	public List<Jdk> jdks() {
		return this.jdks;
	}

	/**
	 * Return the service's executable jar, as {@code spring-boot-maven-plugin} repackaged it.
	 * @return the jar under {@code compat/<module>/target}
	 */
	public Path jar() {
		return BootLine.jar(this.module);
	}

	@Override
	public String toString() {
		return this.bootLine + " with Spring Cloud " + this.springCloud + " and Dubbo " + this.dubbo;
	}

}
