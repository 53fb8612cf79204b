package io.cse.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import io.cse.Setting;
import org.junit.jupiter.api.Test;

import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CsePropertyNames}.
 */
class CsePropertyNamesTests {

	@Test
	void everySettingIsNamedByAPropertyTheStarterHas() throws IOException {
		Map<String, ConfigurationMetadataProperty> properties;
		try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			properties = ConfigurationMetadataRepositoryJsonBuilder.create(metadata).build().getAllProperties();
		}
		for (Setting setting : Setting.values()) {
			String property = CsePropertyNames.INSTANCE.nameOf(setting);
			assertThat(properties).as("the property that names %s", setting).containsKey(property);
			assertThat(properties.get(property).isDeprecated()).as("%s is deprecated", property).isFalse();
		}
	}

}
