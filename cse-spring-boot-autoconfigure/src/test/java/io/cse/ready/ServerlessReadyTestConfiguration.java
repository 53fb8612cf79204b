package io.cse.ready;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code @ServerlessReady} mechanism wired by hand, without the auto-configuration,
 * and a journal that test beans write their calls to.
 */
@Configuration(proxyBeanMethods = false)
class ServerlessReadyTestConfiguration {

	@Bean
	ServerlessReadyBeans serverlessReadyBeans(ConfigurableListableBeanFactory beanFactory) {
		return new ServerlessReadyBeans(beanFactory, new UniquenessHazardInspector(), null);
	}

	@Bean
	ServerlessReadyParticipant serverlessReadyParticipant(ServerlessReadyBeans beans) {
		return new ServerlessReadyParticipant(beans);
	}

	@Bean
	Journal journal() {
		return new Journal();
	}

	/**
	 * A test bean that writes its calls to the journal.
	 */
	abstract static class Recording {

		final Journal journal;

		Recording(Journal journal) {
			this.journal = journal;
		}

	}

	/**
	 * What the test beans were called for, in order.
	 */
	static final class Journal {

		private final List<String> entries = new ArrayList<>();

		synchronized void add(String entry) {
			this.entries.add(entry);
		}

		synchronized List<String> entries() {
			return List.copyOf(this.entries);
		}

		synchronized void clear() {
			this.entries.clear();
		}

	}

}
