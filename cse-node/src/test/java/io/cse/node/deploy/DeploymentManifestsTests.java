package io.cse.node.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files of the resident agent, as systemd and Kubernetes would read them:
 * {@code deploy/cse-agent.service} and {@code deploy/kubernetes/cse-agent-daemonset.yaml}.
 */
class DeploymentManifestsTests {

	private static final Path DEPLOY = Path.of("../deploy");

	private static final String SOCKET = "/run/cse/agent.sock";

	@Test
	void theSystemdUnitRunsTheAgentAndLetsItsServicesOutliveIt() throws IOException {
		Map<String, Map<String, List<String>>> unit = Unit.read(DEPLOY.resolve("cse-agent.service"));
		assertThat(unit).containsOnlyKeys("Unit", "Service", "Install");
		Map<String, List<String>> service = unit.get("Service");
		List<String> command = List.of(single(service, "ExecStart").split("\\s+"));
		assertThat(command.get(0)).startsWith("/");
		assertThat(command).containsSequence("-jar", "/opt/cse/lib/cse-exec.jar", "agent");
		assertThat(command).containsSequence("--socket", SOCKET);
		assertThat(command).containsSequence("--state-dir", "/var/lib/cse/run");
		assertThat(command).containsSequence("--images-root", "/var/lib/cse/images");
		assertThat(single(service, "RuntimeDirectory")).isEqualTo("cse");
		assertThat(single(service, "RuntimeDirectoryMode")).isEqualTo("0700");
		assertThat(single(service, "KillMode")).isEqualTo("process");
		assertThat(single(service, "Restart")).isEqualTo("on-failure");
		assertThat(single(service, "Delegate")).isEqualTo("yes");
		assertThat(single(service, "StateDirectory").split("\\s+")).containsExactlyInAnyOrder("cse/run", "cse/images");
		assertThat(single(unit.get("Install"), "WantedBy")).isEqualTo("multi-user.target");
	}

	@Test
	void theDaemonSetRunsTheAgentPrivilegedOnTheHostsProcessesNetworkAndCgroups() throws IOException {
		Map<String, Map<String, Object>> manifests = Manifests.read(DEPLOY.resolve("kubernetes/cse-agent-daemonset.yaml"));
		assertThat(manifests).containsOnlyKeys("Namespace", "ServiceAccount", "DaemonSet");
		String namespace = string(manifests.get("Namespace"), "metadata", "name");
		assertThat(string(manifests.get("ServiceAccount"), "metadata", "namespace")).isEqualTo(namespace);
		Map<String, Object> daemonSet = manifests.get("DaemonSet");
		assertThat(daemonSet.get("apiVersion")).isEqualTo("apps/v1");
		assertThat(string(daemonSet, "metadata", "namespace")).isEqualTo(namespace);
		assertThat(map(daemonSet, "spec", "template", "metadata", "labels"))
			.containsAllEntriesOf(map(daemonSet, "spec", "selector", "matchLabels"));

		Map<String, Object> pod = map(daemonSet, "spec", "template", "spec");
		assertThat(pod.get("serviceAccountName")).isEqualTo(string(manifests.get("ServiceAccount"), "metadata", "name"));
		assertThat(pod).containsEntry("hostPID", true).containsEntry("hostNetwork", true);
		List<Map<String, Object>> containers = list(pod, "containers");
		assertThat(containers).hasSize(1);
		Map<String, Object> agent = containers.get(0);
		assertThat(map(agent, "securityContext")).containsEntry("privileged", true);
		assertThat(strings(agent, "command")).containsSequence("-jar", "/opt/cse/lib/cse-exec.jar", "agent")
			.containsSequence("--socket", SOCKET);
		assertThat(map(agent, "resources", "requests")).containsKeys("cpu", "memory");
		assertThat(strings(map(agent, "readinessProbe", "exec"), "command")).containsSequence("--unix-socket", SOCKET)
			.contains("http://localhost/healthz");

		Map<String, String> mounts = list(agent, "volumeMounts").stream()
			.collect(Collectors.toMap((mount) -> (String) mount.get("mountPath"), (mount) -> (String) mount.get("name")));
		assertThat(mounts).containsOnlyKeys("/run/cse", "/var/lib/cse/images", "/var/lib/cse/run", "/sys/fs/cgroup",
				"/dev");
		Map<String, String> hostPaths = new LinkedHashMap<>();
		for (Map<String, Object> volume : list(pod, "volumes")) {
			hostPaths.put((String) volume.get("name"), string(volume, "hostPath", "path"));
		}
		assertThat(hostPaths.keySet()).as("a volume for every volumeMount").containsAll(Set.copyOf(mounts.values()));
		// each host folder is mounted where the agent looks for it
		mounts.forEach((path, volume) -> assertThat(hostPaths.get(volume)).as(volume).isEqualTo(path));
	}

	private static String single(Map<String, List<String>> section, String key) {
		assertThat(section).as(key).containsKey(key);
		assertThat(section.get(key)).as(key).hasSize(1);
		return section.get(key).get(0);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Map<String, Object> node, String... path) {
		Object value = node;
		for (String key : path) {
			assertThat(value).as(String.join(".", path)).isInstanceOf(Map.class);
			value = ((Map<String, Object>) value).get(key);
		}
		assertThat(value).as(String.join(".", path)).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

	private static String string(Map<String, Object> node, String... path) {
		Map<String, Object> parent = map(node, java.util.Arrays.copyOf(path, path.length - 1));
		Object value = parent.get(path[path.length - 1]);
		assertThat(value).as(String.join(".", path)).isInstanceOf(String.class);
		return (String) value;
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Map<String, Object> node, String key) {
		assertThat(node.get(key)).as(key).isInstanceOf(List.class);
		return (List<Map<String, Object>>) node.get(key);
	}

	@SuppressWarnings("unchecked")
	private static List<String> strings(Map<String, Object> node, String key) {
		assertThat(node.get(key)).as(key).isInstanceOf(List.class);
		return (List<String>) node.get(key);
	}

	/**
	 * The sections and keys of a systemd unit file: {@code [Section]} lines, {@code Key=Value}
	 * lines, comments with {@code #} or {@code ;}. A key may repeat (systemd then appends or
	 * resets, depending on the key), so each holds a list. Line continuations with a
	 * trailing backslash are joined.
	 */
	static final class Unit {

		private Unit() {
		}

		static Map<String, Map<String, List<String>>> read(Path file) throws IOException {
			Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
			Map<String, List<String>> current = null;
			StringBuilder pending = new StringBuilder();
			for (String raw : Files.readAllLines(file)) {
				String line = raw.strip();
				if (line.endsWith("\\")) {
					pending.append(line, 0, line.length() - 1).append(' ');
					continue;
				}
				line = pending.append(line).toString().strip();
				pending.setLength(0);
				if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
					continue;
				}
				if (line.startsWith("[") && line.endsWith("]")) {
					current = sections.computeIfAbsent(line.substring(1, line.length() - 1),
							(name) -> new LinkedHashMap<>());
					continue;
				}
				int equals = line.indexOf('=');
				assertThat(equals).as("a Key=Value line: " + line).isPositive();
				assertThat(current).as("a section before " + line).isNotNull();
				current.computeIfAbsent(line.substring(0, equals).strip(), (key) -> new ArrayList<>())
					.add(line.substring(equals + 1).strip());
			}
			return sections;
		}

	}

	/**
	 * The documents of a multi-document Kubernetes YAML file, by {@code kind}.
	 */
	static final class Manifests {

		private Manifests() {
		}

		@SuppressWarnings("unchecked")
		static Map<String, Map<String, Object>> read(Path file) throws IOException {
			Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
			Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
			for (Object document : yaml.loadAll(Files.readString(file))) {
				Map<String, Object> manifest = (Map<String, Object>) document;
				assertThat(manifest).containsKeys("apiVersion", "kind", "metadata");
				assertThat(byKind.put((String) manifest.get("kind"), manifest)).as("one " + manifest.get("kind"))
					.isNull();
			}
			return byKind;
		}

	}

}
