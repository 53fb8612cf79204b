package io.cse;

/**
 * What the users of the host application call each {@link Setting}: how a message of CSE
 * says which setting to change.
 */
@FunctionalInterface
public interface SettingNames {

	/** The names of CSE's own Java API, for an application that configures it in code. */
	SettingNames JAVA = Setting::javaName;

	/**
	 * Return what the users of the host application call a setting.
	 * @param setting the setting
	 * @return its name, as users set it
	 */
	String nameOf(Setting setting);

}
