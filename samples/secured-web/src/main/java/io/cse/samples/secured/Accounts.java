package io.cse.samples.secured;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The accounts of the service, from its configuration: each with its password, encoded
 * ({@code {bcrypt}...}, as {@code spring encodepassword} prints it), and its roles.
 *
 * @param users the accounts, by user name
 */
@ConfigurationProperties("secured-web")
record Accounts(Map<String, Account> users) {

	Accounts {
		users = (users != null) ? Map.copyOf(users) : Map.of();
	}

	/**
	 * One account.
	 *
	 * @param password the password, encoded with its encoder's id in front
	 * @param roles the roles, without the {@code ROLE_} prefix
	 */
	record Account(String password, List<String> roles) {

		Account {
			roles = (roles != null) ? List.copyOf(roles) : List.of();
		}

	}

}
