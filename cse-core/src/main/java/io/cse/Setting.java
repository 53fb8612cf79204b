package io.cse;

/**
 * A setting that a message of CSE may advise changing. The core names no property: the
 * host application tells it, through {@link SettingNames}, what its users call each
 * setting (a Spring Boot application: {@code cse.participant-timeout}).
 */
public enum Setting {

	/** How long one participant may take to quiesce or resume. */
	PARTICIPANT_TIMEOUT("participantTimeout"),

	/** Whether a snapshot may carry the child processes of the service. */
	ALLOW_CHILD_PROCESSES("allowChildProcesses"),

	/** The folder every image lives in. */
	IMAGES_ROOT("imagesRoot"),

	/** The CRIU binary. */
	CRIU_PATH("criuPath"),

	/** How long a CRIU dump may take. */
	CRIU_DUMP_TIMEOUT("criuDumpTimeout"),

	/** The most snapshots (dumps and clones) in any minute. */
	SNAPSHOT_RATE_LIMIT("snapshotRateLimit");

	private final String javaName;

	Setting(String javaName) {
		this.javaName = javaName;
	}

	/**
	 * Return the name of the setting in CSE's own Java API, what {@link SettingNames#JAVA}
	 * calls it.
	 * @return the name
	 */
	public String javaName() {
		return this.javaName;
	}

}
