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
		// No default: a new setting does not compile until it has its property.
		return switch (setting) {
			case PARTICIPANT_TIMEOUT -> "cse.participant-timeout";
			case ALLOW_CHILD_PROCESSES -> "cse.snapshot.allow-child-processes";
			case IMAGES_ROOT -> "cse.images.root";
			case CRIU_PATH -> "cse.criu.path";
			case CRIU_DUMP_TIMEOUT -> "cse.criu.dump-timeout";
		};
	}

}
