package io.cse.node.pool;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the agent keeps of a pool, one JSON file per pool, written atomically: enough to
 * find its frozen clones again after a restart.
 *
 * @param name the pool's name; its clones are named {@code <name>-<n>}
 * @param template the template image's folder
 * @param size how many frozen clones it keeps
 * @param squeeze whether they are squeezed after they freeze
 * @param bridge the bridge its clones hang on, or {@code null} for the agent's
 * @param members the frozen clones ready to be taken, oldest first
 * @param released the clones taken from it, now serving: the pool no longer touches them
 * @param createdAt when it was made (ISO-8601 instant)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record PoolState(String name, String template, int size, boolean squeeze, String bridge, List<String> members,
		List<String> released, String createdAt) {

	PoolState {
		members = List.copyOf((members != null) ? members : List.of());
		released = List.copyOf((released != null) ? released : List.of());
	}

	PoolState withMember(String member) {
		List<String> more = new ArrayList<>(this.members);
		more.add(member);
		return new PoolState(this.name, this.template, this.size, this.squeeze, this.bridge, more, this.released, this.createdAt);
	}

	PoolState without(String instance) {
		List<String> members = new ArrayList<>(this.members);
		members.remove(instance);
		List<String> released = new ArrayList<>(this.released);
		released.remove(instance);
		return new PoolState(this.name, this.template, this.size, this.squeeze, this.bridge, members, released, this.createdAt);
	}

	PoolState releasing(String member) {
		List<String> members = new ArrayList<>(this.members);
		members.remove(member);
		List<String> released = new ArrayList<>(this.released);
		released.add(member);
		return new PoolState(this.name, this.template, this.size, this.squeeze, this.bridge, members, released, this.createdAt);
	}

	/**
	 * Whether an instance's name is one this pool gives its clones.
	 */
	boolean names(String instance) {
		return instance.startsWith(this.name + "-") && instance.substring(this.name.length() + 1).matches("\\d+");
	}

}
