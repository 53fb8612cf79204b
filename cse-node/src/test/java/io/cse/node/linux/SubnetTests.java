package io.cse.node.linux;

import io.cse.node.CseException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubnetTests {

	@Test
	void defaultIsTheHostOn10_199_0_1() {
		assertThat(Subnet.DEFAULT.gateway()).isEqualTo("10.199.0.1");
		assertThat(Subnet.DEFAULT.gatewayCidr()).isEqualTo("10.199.0.1/24");
		assertThat(Subnet.DEFAULT.address(Subnet.FIRST_INSTANCE_INDEX)).isEqualTo("10.199.0.10");
		assertThat(Subnet.DEFAULT.lastIndex()).isEqualTo(254);
	}

	@Test
	void anyAddressInsideNamesTheSubnet() {
		assertThat(Subnet.parse("10.199.0.1/24")).isEqualTo(Subnet.parse("10.199.0.0/24"));
		assertThat(Subnet.parse("172.20.5.9/20").toString()).isEqualTo("172.20.0.0/20");
	}

	@Test
	void largerSubnetsCountAcrossOctets() {
		Subnet subnet = Subnet.parse("10.198.0.0/20");
		assertThat(subnet.address(300)).isEqualTo("10.198.1.44");
		assertThat(subnet.indexOf("10.198.1.44")).isEqualTo(300);
		assertThat(subnet.indexOf("10.199.0.1")).isEqualTo(-1);
		assertThat(subnet.lastIndex()).isEqualTo(4094);
	}

	@Test
	void refusesWhatIsNoSubnet() {
		assertThatThrownBy(() -> Subnet.parse("10.199.0.0")).isInstanceOf(CseException.class)
			.hasMessageContaining("10.199.0.0/24");
		assertThatThrownBy(() -> Subnet.parse("10.299.0.0/24")).isInstanceOf(CseException.class);
		assertThatThrownBy(() -> Subnet.parse("10.199.0.0/30")).hasMessageContaining("/16 to /28");
	}

}
