package io.cse.autoconfigure;

import io.cse.Setting;
import io.cse.SettingNames;

/**
 * Names each setting that a message of CSE advises changing by its property, so that the
 * message tells a Spring Boot user which line to put in {@code application.properties}.
 */
final class CsePropertyNames implements SettingNames {

	static final CsePropertyNames INSTANCE = new CsePropertyNames();

	private CsePropertyNames() {
	}

	@Override
	public String nameOf(Setting setting) {
		// A new setting fails CsePropertyNamesTests until it has its property here.
		switch (setting) {
			case PARTICIPANT_TIMEOUT:
				return "cse.participant-timeout";
			case ALLOW_CHILD_PROCESSES:
				return "cse.snapshot.allow-child-processes";
			case IMAGES_ROOT:
				return "cse.images.root";
			case CRIU_PATH:
				return "cse.criu.path";
			case CRIU_DUMP_TIMEOUT:
				return "cse.criu.dump-timeout";
			case SNAPSHOT_RATE_LIMIT:
				return "cse.snapshot.max-per-minute";
			default:
				throw new IllegalArgumentException("No property for setting " + setting);
		}
	}

}
