package io.cse.node.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.node.instance.Frozen;
import io.cse.node.instance.Thawed;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * {@link FlatJson} reads what databind writes, the way databind would read it.
 */
class FlatJsonTests {

	private final ObjectMapper databind = new ObjectMapper();

	@Test
	void readsARecordDatabindWrote() throws IOException {
		Thawed thawed = new Thawed(true, false, 0.3, 13.25, 17.0);
		assertThat(FlatJson.read(this.databind.writeValueAsBytes(thawed), Thawed.class)).isEqualTo(thawed);
	}

	@Test
	void skipsFieldsItDoesNotKnowAndReadsAbsentOnesAsZero() throws IOException {
		byte[] json = bytes("{\"wasFrozen\":true,\"later\":{\"nested\":[1,2]},\"first200Millis\":4}");
		assertThat(FlatJson.read(json, Thawed.class)).isEqualTo(new Thawed(true, false, 0, 0, 4.0));
	}

	@Test
	void refusesAFieldOfAnotherType() {
		assertThatIOException().isThrownBy(() -> FlatJson.read(bytes("{\"wasFrozen\":\"yes\"}"), Thawed.class))
			.withMessageContaining("'wasFrozen' is yes, not a boolean");
	}

	@Test
	void refusesWhatIsNotAnObject() {
		assertThatIOException().isThrownBy(() -> FlatJson.read(bytes("[]"), Thawed.class));
		assertThatIOException().isThrownBy(() -> FlatJson.text(bytes("not json"), "error"));
	}

	@Test
	void readsOnlyRecordsOfScalars() {
		assertThat(FlatJson.readable(Thawed.class)).isTrue();
		assertThat(FlatJson.readable(Frozen.class)).isFalse();
		assertThat(FlatJson.readable(Map.class)).isFalse();
	}

	@Test
	void readsTheErrorOfAnAnswer() throws IOException {
		assertThat(FlatJson.text(bytes("{\"status\":404,\"error\":\"no instance named x\"}"), "error"))
			.isEqualTo("no instance named x");
		assertThat(FlatJson.text(bytes("{\"error\":{\"nested\":1}}"), "error")).isNull();
	}

	@Test
	void writesAMapOfScalarsAsDatabindWould() throws IOException {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("onRequest", true);
		body.put("timeout", "1500ms \"quoted\"");
		body.put("count", 3);
		assertThat(FlatJson.writable(body)).isTrue();
		assertThat(this.databind.readTree(FlatJson.write(body))).isEqualTo(this.databind.valueToTree(body));
		assertThat(FlatJson.writable(Map.of("members", List.of("a")))).isFalse();
		assertThat(FlatJson.writable("text")).isFalse();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
