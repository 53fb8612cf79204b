package io.cse.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Applies the per-instance properties a thaw carries: a property source that takes
 * precedence over every other, so that a restored or cloned instance reads its own values
 * from then on.
 */
final class EnvironmentPropertyOverrides implements Consumer<Map<String, String>> {

	static final String PROPERTY_SOURCE_NAME = "cseInstanceOverrides";

	private final ConfigurableEnvironment environment;

	EnvironmentPropertyOverrides(ConfigurableEnvironment environment) {
		this.environment = environment;
	}

	@Override
	public void accept(Map<String, String> properties) {
		if (properties.isEmpty()) {
			return;
		}
		MutablePropertySources sources = this.environment.getPropertySources();
		Map<String, Object> values = new LinkedHashMap<>();
		PropertySource<?> existing = sources.get(PROPERTY_SOURCE_NAME);
		if (existing instanceof MapPropertySource) {
			values.putAll(((MapPropertySource) existing).getSource());
		}
		values.putAll(properties);
		sources.remove(PROPERTY_SOURCE_NAME);
		sources.addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, values));
	}

}
