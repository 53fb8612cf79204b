package io.cse.node.instance;

import java.util.List;

import io.cse.node.CseException;
import io.cse.node.linux.Subnet;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllocationTests {

	@Test
	void addressesStartAtTheTenth() {
		assertThat(Allocation.allocateAddresses(Subnet.DEFAULT, 3, List.of())).containsExactly("10.199.0.10",
				"10.199.0.11", "10.199.0.12");
	}

	@Test
	void addressesFillGapsLowestFirst() {
		List<Instance> existing = List.of(RegistryTests.instance("a", "10.199.0.10"),
				RegistryTests.instance("b", "10.199.0.12"), RegistryTests.instance("c", "10.199.0.13"));
		assertThat(Allocation.allocateAddresses(Subnet.DEFAULT, 3, existing)).containsExactly("10.199.0.11",
				"10.199.0.14", "10.199.0.15");
	}

	@Test
	void addressesOfHostRestoresDoNotCount() {
		Instance inHost = new Instance("h", Instance.Kind.RESTORE, Instance.State.RUNNING, "x",
				new Instance.Source("/i", "i"), new Instance.Endpoint("127.0.0.1", 8080, "/"), null,
				new Instance.ProcessId(1, 1), Instance.ProcessId.NONE, Instance.ProcessId.NONE, null,
				"2026-11-27T10:00:00Z", "/l");
		assertThat(Allocation.allocateAddresses(Subnet.DEFAULT, 1, List.of(inHost))).containsExactly("10.199.0.10");
	}

	@Test
	void saysWhenTheSubnetIsFull() {
		Subnet small = Subnet.parse("10.199.0.0/28");
		assertThat(Allocation.allocateAddresses(small, 5, List.of())).hasSize(5).last().isEqualTo("10.199.0.14");
		assertThatThrownBy(() -> Allocation.allocateAddresses(small, 6, List.of())).isInstanceOf(CseException.class)
			.hasMessageContaining("no free address left in 10.199.0.0/28")
			.hasMessageContaining("cse stop");
	}

	@Test
	void namesTakeTheLowestFreeNumbers() {
		List<Instance> existing = List.of(RegistryTests.instance("web-1", "10.199.0.10"),
				RegistryTests.instance("web-3", "10.199.0.11"));
		assertThat(Allocation.chooseNames(null, 3, "web", existing)).containsExactly("web-2", "web-4", "web-5");
	}

	@Test
	void aRequestedNameMustBeFree() {
		List<Instance> existing = List.of(RegistryTests.instance("web-1", "10.199.0.10"));
		assertThat(Allocation.chooseNames("mine", 1, "web", existing)).containsExactly("mine");
		assertThatThrownBy(() -> Allocation.chooseNames("web-1", 1, "web", existing)).isInstanceOf(CseException.class)
			.hasMessageContaining("an instance named web-1 exists already")
			.hasMessageContaining("cse stop web-1");
	}

}
