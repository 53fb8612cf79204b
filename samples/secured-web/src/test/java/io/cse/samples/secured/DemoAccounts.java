package io.cse.samples.secured;

/**
 * The demo accounts of {@code application.properties}, with their passwords in the clear.
 */
final class DemoAccounts {

	/** The platform's account, with the {@code CSE_PLATFORM} role. */
	static final String PLATFORM = "cse-platform";

	static final String PLATFORM_PASSWORD = "platform-demo-password";

	/** An administrator of the application, with the {@code ADMIN} role only. */
	static final String ADMIN = "alice";

	static final String ADMIN_PASSWORD = "admin-demo-password";

	/** A user of the application, with the {@code USER} role only. */
	static final String USER = "bob";

	static final String USER_PASSWORD = "user-demo-password";

	private DemoAccounts() {
	}

}
