package io.cse.samples.secured;

import io.cse.endpoint.CseEndpoint;

import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Two filter chains: one for the actuator, which a platform calls with HTTP Basic, and one
 * for the application's own pages, which people use in a browser.
 * <p>
 * The CSE endpoint wants the {@value #PLATFORM_ROLE} role, and is the one path exempt from
 * CSRF protection: the platform sends plain {@code POST}s without a body, a session or a
 * CSRF token. Health is open to anyone (probes carry no credentials); every other actuator
 * endpoint is refused. The application's pages keep their own rules, CSRF protection
 * included.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	/** The role a platform's account needs to operate the instance through the endpoint. */
	static final String PLATFORM_ROLE = "CSE_PLATFORM";

	@Bean
	@Order(1)
	SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
		http.securityMatcher(EndpointRequest.toAnyEndpoint())
			.authorizeHttpRequests((requests) -> requests
				.requestMatchers(EndpointRequest.to(HealthEndpoint.class)).permitAll()
				.requestMatchers(EndpointRequest.to(CseEndpoint.class)).hasRole(PLATFORM_ROLE)
				.anyRequest().denyAll())
			.httpBasic(Customizer.withDefaults())
			// A machine's plain POSTs, authenticated on every request, never by a cookie.
			.csrf((csrf) -> csrf.ignoringRequestMatchers(EndpointRequest.to(CseEndpoint.class)))
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	@Bean
	@Order(2)
	SecurityFilterChain applicationSecurity(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> requests
				.requestMatchers("/hello", "/error").permitAll()
				.requestMatchers("/admin/**").hasRole("ADMIN")
				.anyRequest().authenticated())
			.formLogin(Customizer.withDefaults());
		return http.build();
	}

	@Bean
	InMemoryUserDetailsManager userDetailsService(Accounts accounts) {
		return new InMemoryUserDetailsManager(accounts.users().entrySet().stream()
			.map((user) -> User.withUsername(user.getKey())
				.password(user.getValue().password())
				.roles(user.getValue().roles().toArray(String[]::new))
				.build())
			.toArray(UserDetails[]::new));
	}

}
