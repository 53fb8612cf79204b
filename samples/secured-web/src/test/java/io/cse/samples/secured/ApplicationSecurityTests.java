package io.cse.samples.secured;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's own pages keep their rules with the CSE endpoint beside them: the
 * exemption from CSRF protection is the endpoint's alone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "cse.traffic.thaw-on-request=false")
class ApplicationSecurityTests {

	@LocalServerPort
	private int port;

	@Test
	void greetingIsOpen() {
		HttpResponse<String> hello = Client.anonymous(this.port).get("/hello");
		assertThat(hello.statusCode()).isEqualTo(200);
		assertThat(hello.body()).isEqualTo("Hello!");
	}

	@Test
	void adminPageWantsTheAdminRole() {
		Client user = Client.browser(this.port);
		assertThat(user.logIn(DemoAccounts.USER, DemoAccounts.USER_PASSWORD).statusCode()).isEqualTo(302);
		assertThat(user.get("/admin").statusCode()).isEqualTo(403);
		// The platform's account is no way into the application either.
		Client platform = Client.browser(this.port);
		assertThat(platform.logIn(DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD).statusCode())
			.isEqualTo(302);
		assertThat(platform.get("/admin").statusCode()).isEqualTo(403);
	}

	@Test
	void formPostWithoutTheCsrfTokenIsRefusedWith403() {
		Client admin = Client.browser(this.port);
		assertThat(admin.logIn(DemoAccounts.ADMIN, DemoAccounts.ADMIN_PASSWORD).statusCode()).isEqualTo(302);
		HttpResponse<String> page = admin.get("/admin");
		assertThat(page.statusCode()).isEqualTo(200);
		// Logged in, with the right role and a session: only the token is missing.
		assertThat(admin.postForm("/admin/notes", Map.of("note", "forged")).statusCode()).isEqualTo(403);
		HttpResponse<String> added = admin.postForm("/admin/notes",
				Map.of("note", "genuine", "_csrf", Client.csrfToken(page)));
		assertThat(added.statusCode()).isEqualTo(200);
		assertThat(added.body()).isEqualTo("Added: genuine");
		assertThat(admin.get("/admin").body()).contains("<li>genuine</li>").doesNotContain("forged");
	}

	@Test
	void platformCannotPostTheApplicationsFormsWithoutTheCsrfTokenEither() {
		// HTTP Basic, as the platform calls the endpoint, but to an application path: the
		// application's chain applies, CSRF protection included.
		Client platform = Client.basic(this.port, DemoAccounts.PLATFORM, DemoAccounts.PLATFORM_PASSWORD);
		assertThat(platform.postForm("/admin/notes", Map.of("note", "forged")).statusCode()).isEqualTo(403);
	}

}
