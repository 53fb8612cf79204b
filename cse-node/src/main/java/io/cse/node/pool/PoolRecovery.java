package io.cse.node.pool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.cse.node.instance.InstanceStatus;
import io.cse.node.instance.Liveness;
import io.cse.node.linux.Cgroup;

/**
 * What a pool's file says against what the host holds: members that died or are no longer
 * frozen are dropped (and stopped, if anything of them is left), taken clones that are gone
 * are forgotten, and clones of the pool that the file does not name (made by an agent that
 * was killed before it recorded them) are stopped.
 *
 * @param kept the pool's state to keep
 * @param toStop the instances to stop
 */
record PoolRecovery(PoolState kept, List<String> toStop) {

	static PoolRecovery of(PoolState pool, List<InstanceStatus> instances) {
		Map<String, InstanceStatus> byName = new HashMap<>();
		instances.forEach((status) -> byName.put(status.instance().name(), status));
		List<String> toStop = new ArrayList<>();
		PoolState kept = pool;
		for (String member : pool.members()) {
			InstanceStatus status = byName.get(member);
			boolean ready = status != null && status.liveness() == Liveness.ALIVE
					&& Cgroup.FROZEN.equals(status.freezerState());
			if (!ready) {
				kept = kept.without(member);
				if (status != null) {
					toStop.add(member);
				}
			}
		}
		for (String released : pool.released()) {
			if (!byName.containsKey(released)) {
				kept = kept.without(released);
			}
		}
		for (String instance : byName.keySet()) {
			if (pool.names(instance) && !pool.members().contains(instance) && !pool.released().contains(instance)) {
				toStop.add(instance);
			}
		}
		return new PoolRecovery(kept, toStop);
	}

}
