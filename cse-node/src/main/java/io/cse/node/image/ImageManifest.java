package io.cse.node.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * {@code manifest.json} of an image folder, written by the starter after the last image
 * file: a folder without it is an unfinished dump. Unknown fields are ignored so that
 * newer starters can add some.
 *
 * @param imageId the image's id (the folder's name)
 * @param kind {@value #KIND_DUMP} (a restore is the same instance) or
 * {@value #KIND_TEMPLATE} (every restore is a clone with a new identity)
 * @param engine what took the snapshot; the node agent restores {@value #ENGINE_CRIU}
 * images
 * @param criuVersion the CRIU that wrote the image
 * @param createdAt when the dump ended (ISO-8601 instant)
 * @param application {@code spring.application.name} of the dumped service
 * @param pid the dumped process's pid, which every restore keeps
 * @param port the HTTP port the service listens on, on all addresses
 * @param healthPath the path that answers 200 once the service serves
 * @param javaVersion the dumped JVM's version
 * @param javaHome the dumped JVM's home
 * @param identity who the dumped instance was
 * @param residentBytes the process's resident memory before the dump
 * @param imageBytes the size of the image files
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageManifest(String imageId, String kind, String engine, String criuVersion, String createdAt,
		String application, Long pid, Integer port, String healthPath, String javaVersion, String javaHome,
		Identity identity, Long residentBytes, Long imageBytes) {

	/**
	 * The kind of an image whose restore is the dumped instance itself.
	 */
	public static final String KIND_DUMP = "dump";

	/**
	 * The kind of an image whose every restore is a clone with a new identity.
	 */
	public static final String KIND_TEMPLATE = "template";

	/**
	 * The engine of images that CRIU wrote.
	 */
	public static final String ENGINE_CRIU = "criu";

	/**
	 * Who the dumped instance was.
	 *
	 * @param instanceId its instance id
	 * @param generation how many restores separate it from the first start
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record Identity(String instanceId, Integer generation) {
	}

}
