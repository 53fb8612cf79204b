package io.cse.autoconfigure;

import ch.qos.logback.classic.LoggerContext;
import io.cse.logging.LogbackFileAppenderParticipant;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Log files: file appenders let go of their files before a snapshot and open them again
 * afterwards, so that an image restores whatever became of its log files.
 */
@AutoConfiguration(after = CseAutoConfiguration.class)
@Conditional(SupportedPlatformCondition.class)
// One annotation, not two: Spring Boot 2.7's is not repeatable, and would not see them
@ConditionalOnProperty(name = { "cse.enabled", "cse.log-files.enabled" }, matchIfMissing = true)
final class CseLogFilesAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(LoggerContext.class)
	static class LogbackConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LogbackFileAppenderParticipant cseLogbackFileAppenderParticipant() {
			return new LogbackFileAppenderParticipant();
		}

	}

}
