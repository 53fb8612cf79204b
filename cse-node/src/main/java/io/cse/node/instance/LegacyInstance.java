package io.cse.node.instance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.cse.node.instance.Instance.Cgroups;
import io.cse.node.instance.Instance.Endpoint;
import io.cse.node.instance.Instance.Kind;
import io.cse.node.instance.Instance.Network;
import io.cse.node.instance.Instance.ProcessId;
import io.cse.node.instance.Instance.Source;
import io.cse.node.instance.Instance.State;

/**
 * A registry entry as {@code cse} wrote it before {@link Instance} was made of nested
 * records: every field at the top level. Only {@link Registry} reads it, so that instances
 * an earlier {@code cse} started can still be listed and stopped; nothing writes it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record LegacyInstance(String name, Kind kind, String image, String imageId, String address, int port,
		String healthPath, String namespace, String hostInterface, String bridge, long pid, long pidStartTicks,
		long launcherPid, long launcherStartTicks, String instanceId, State state, long ownerPid,
		long ownerStartTicks, String createdAt, String logDir, String freezerCgroup, String memoryCgroup,
		long limitBeforeSqueeze) {

	Instance toInstance() {
		// The old entries said "in the host's namespaces" and "in no cgroup" with null fields.
		Network network = (this.namespace != null) ? new Network(this.namespace, this.hostInterface, this.bridge)
				: null;
		Cgroups cgroups = (this.freezerCgroup != null && this.memoryCgroup != null)
				? new Cgroups(this.freezerCgroup, this.memoryCgroup, this.limitBeforeSqueeze, null) : null;
		return new Instance(this.name, this.kind, this.state, this.instanceId, new Source(this.image, this.imageId),
				new Endpoint(this.address, this.port, this.healthPath), network,
				new ProcessId(this.pid, this.pidStartTicks), new ProcessId(this.launcherPid, this.launcherStartTicks),
				new ProcessId(this.ownerPid, this.ownerStartTicks), cgroups, this.createdAt, this.logDir);
	}

}
