package io.cse.node.linux;

import io.cse.node.CseException;
import io.cse.node.FakeHost;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BridgeTests {

	@Test
	void upCreatesTheBridgeWithTheHostAddress() {
		FakeHost host = new FakeHost();
		Bridge.State state = new Bridge(host, "cse0").up(null);
		assertThat(state.created()).isTrue();
		assertThat(state.subnet()).isEqualTo(Subnet.DEFAULT);
		assertThat(host.commandLines()).containsExactly("ip -o link show dev cse0",
				"ip link add name cse0 type bridge", "ip -o -4 addr show dev cse0",
				"ip addr add 10.199.0.1/24 dev cse0", "ip link set dev cse0 up");
	}

	@Test
	void upIsIdempotent() {
		FakeHost host = new FakeHost().withBridge("cse0", "10.199.0.1/24");
		Bridge.State state = new Bridge(host, "cse0").up(null);
		assertThat(state.created()).isFalse();
		assertThat(host.commandLines()).noneMatch((line) -> line.contains(" add "));
	}

	@Test
	void upKeepsTheSubnetTheBridgeHas() {
		FakeHost host = new FakeHost().withBridge("cse0", "10.198.0.1/20");
		assertThat(new Bridge(host, "cse0").up(null).subnet()).isEqualTo(Subnet.parse("10.198.0.0/20"));
	}

	@Test
	void upRefusesAnotherSubnetOnAnExistingBridge() {
		FakeHost host = new FakeHost().withBridge("cse0", "10.199.0.1/24");
		assertThatThrownBy(() -> new Bridge(host, "cse0").up(Subnet.parse("10.198.0.0/24")))
			.isInstanceOf(CseException.class)
			.hasMessageContaining("already has 10.199.0.1/24, not 10.198.0.1/24")
			.hasMessageContaining("cse net down");
	}

	@Test
	void upUndoesAHalfCreatedBridge() {
		FakeHost host = new FakeHost().failing((command) -> command.contains("addr") && command.contains("add"));
		assertThatThrownBy(() -> new Bridge(host, "cse0").up(null)).isInstanceOf(CseException.class)
			.hasMessageContaining("could not give the bridge cse0 the address 10.199.0.1/24");
		assertThat(host.links()).isEmpty();
	}

	@Test
	void refusesNamesThatDoNotFitVethNames() {
		assertThatThrownBy(() -> new Bridge(new FakeHost(), "a-much-too-long-name")).isInstanceOf(CseException.class)
			.hasMessageContaining("1 to 8");
	}

}
