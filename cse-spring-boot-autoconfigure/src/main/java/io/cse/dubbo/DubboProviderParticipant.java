package io.cse.dubbo;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;
import io.cse.registry.CloneAddressResolver;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.utils.NetUtils;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.RegistryFactory;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.apache.dubbo.rpc.model.ProviderModel;
import org.apache.dubbo.rpc.model.ProviderModel.RegisterStatedURL;

import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * Takes every exported Apache Dubbo service out of its registries while the instance is
 * quiesced and registers it again when it resumes; a clone comes back at its own address,
 * under its own instance id, with ZooKeeper sessions of its own.
 * <p>
 * It does what Dubbo's own QoS {@code offline} and {@code online} commands do: for each
 * provider's registration ({@link ProviderModel#getStatedUrl()}) that is registered, the
 * registry unregisters the provider URL, and registers it again on resume. Dubbo's server
 * keeps listening, so a consumer that still calls it is served or held by the traffic
 * gate, but no new consumer finds it. It runs just after the
 * {@link io.cse.registry.ProviderPublisherParticipant}, which takes the Dubbo services of
 * {@link io.cse.ready.ServerlessReady @ServerlessReady} beans offline through the
 * {@link DubboProviderPublisher}, and takes the other exported services offline.
 * <p>
 * After a clone restore ({@link CheckpointContext#isClone()}), before anything registers
 * again:
 * <ol>
 * <li>Dubbo's cached local address ({@code NetUtils}) is forgotten, so Dubbo finds the
 * clone's own;</li>
 * <li>every ZooKeeper client of Dubbo drops the template's session and opens one of its
 * own (see {@link DubboZookeeperSessions});</li>
 * <li>the provider URLs are given the clone's address (from the
 * {@link CloneAddressResolver}) and its instance id (the {@value #INSTANCE_PARAMETER}
 * parameter).</li>
 * </ol>
 * Only interface-level registration is supported: Dubbo's application-level service
 * discovery ({@code dubbo.application.register-mode} {@code all} or {@code instance}, the
 * default being {@code all}) publishes an instance record that a clone would copy, so a
 * quiesce that finds one fails with a message that names the setting.
 */
public class DubboProviderParticipant implements CheckpointParticipant {

	/** The participant's name, in reports, errors and metrics. */
	public static final String NAME = "dubbo";

	/** The provider URL parameter that carries the CSE instance id. */
	public static final String INSTANCE_PARAMETER = "cse-instance";

	private static final String SERVICE_DISCOVERY_REGISTRY = "service-discovery-registry";

	private static final Log logger = LogFactory.getLog(DubboProviderParticipant.class);

	private static final String[] NET_UTILS_CACHES = { "LOCAL_ADDRESS", "LOCAL_ADDRESS_V6", "HOST_ADDRESS",
			"HOST_ADDRESS_V6", "HOST_NAME" };

	private final CloneAddressResolver addressResolver;

	private final DubboZookeeperSessions sessions;

	private final List<RegisterStatedURL> offline = Collections.synchronizedList(new ArrayList<>());

	private volatile String cloneAddress;

	private volatile boolean cloneRenewalPending;

	/**
	 * Create a participant.
	 * @param addressResolver finds a clone's address after its restore, or {@code null} to
	 * take the one Dubbo finds once its cached local address is forgotten
	 */
	public DubboProviderParticipant(CloneAddressResolver addressResolver) {
		this.addressResolver = addressResolver;
		this.sessions = new DubboZookeeperSessions();
	}

	@Override
	public String getName() {
		return NAME;
	}

	/**
	 * Return the order, just after {@link CheckpointParticipant#REGISTRY_ORDER}: after
	 * the providers of {@code @ServerlessReady} beans went offline, and on resume before
	 * they come back, so that a clone's sessions and address are renewed first.
	 */
	@Override
	public int getOrder() {
		return REGISTRY_ORDER + 10;
	}

	/**
	 * Return the provider URLs that the last quiesce took out of their registry and that
	 * are not registered again yet.
	 * @return the provider URLs
	 */
	public List<String> getOffline() {
		synchronized (this.offline) {
			return this.offline.stream().map((stated) -> stated.getProviderUrl().toString()).collect(Collectors.toList());
		}
	}

	@Override
	public void quiesce(CheckpointContext context) {
		this.cloneAddress = null;
		List<RegisterStatedURL> taken = offline(providers(), context);
		this.offline.addAll(taken);
	}

	@Override
	public void resume(CheckpointContext context) throws Exception {
		// A clone whose renewal failed must not register later as the template: it tries again
		if (context.isClone() || this.cloneRenewalPending) {
			this.cloneRenewalPending = true;
			renewClone(context);
			this.cloneRenewalPending = false;
		}
		List<RegisterStatedURL> urls;
		synchronized (this.offline) {
			urls = new ArrayList<>(this.offline);
		}
		List<RegisterStatedURL> failed = online(urls, context);
		this.offline.retainAll(failed);
		if (!failed.isEmpty()) {
			throw new IllegalStateException("Could not register again " + failed.size()
					+ " Dubbo provider URL(s) (they are tried again on the next resume): " + failed.stream()
						.map((stated) -> stated.getProviderUrl().getServiceKey())
						.collect(Collectors.toList()));
		}
	}

	/**
	 * Take the registered URLs of the given providers out of their registries.
	 * @return what was taken out
	 */
	List<RegisterStatedURL> offline(List<ProviderModel> providers, CheckpointContext context) {
		checkInterfaceLevelOnly(providers);
		List<RegisterStatedURL> taken = new ArrayList<>();
		for (ProviderModel provider : providers) {
			for (RegisterStatedURL stated : provider.getStatedUrl()) {
				if (!stated.isRegistered()) {
					continue;
				}
				registry(stated).unregister(stated.getProviderUrl());
				stated.setRegistered(false);
				taken.add(stated);
				logger.info("Took Dubbo service " + provider.getServiceKey() + " offline from "
						+ stated.getRegistryUrl().getAddress() + " for the "
						+ context.operation().name().toLowerCase(Locale.ROOT));
			}
		}
		return taken;
	}

	/**
	 * Register the given URLs again; in a clone that this resume renewed, at its own
	 * address and under its own id.
	 * @return the URLs that could not be registered
	 */
	List<RegisterStatedURL> online(List<RegisterStatedURL> urls, CheckpointContext context) {
		List<RegisterStatedURL> failed = new ArrayList<>();
		for (RegisterStatedURL stated : urls) {
			try {
				if (this.cloneRenewalPending) {
					throw new IllegalStateException("this clone's ZooKeeper sessions and address could not be "
							+ "renewed, so it would register as the template: it stays offline until a resume "
							+ "renews them");
				}
				String address = this.cloneAddress;
				if (address != null) {
					URL url = stated.getProviderUrl().setHost(address)
						.addParameter(INSTANCE_PARAMETER, context.identity().getInstanceId());
					if (url.getParameter("bind.ip") != null) {
						url = url.addParameter("bind.ip", address);
					}
					stated.setProviderUrl(url);
				}
				registry(stated).register(stated.getProviderUrl());
				stated.setRegistered(true);
				logger.info("Registered Dubbo service " + stated.getProviderUrl().getServiceKey() + " at "
						+ stated.getProviderUrl().getAddress() + " again after the "
						+ context.resumption().name().toLowerCase(Locale.ROOT));
			}
			catch (RuntimeException ex) {
				logger.warn("Could not register Dubbo provider " + stated.getProviderUrl() + " again", ex);
				failed.add(stated);
			}
		}
		return failed;
	}

	private void renewClone(CheckpointContext context) throws Exception {
		forgetCachedLocalAddress();
		this.sessions.renew(FrameworkModel.getAllInstances());
		String address = (this.addressResolver != null) ? this.addressResolver.resolve() : NetUtils.getLocalHost();
		if (!StringUtils.hasText(address)) {
			throw new IllegalStateException("Could not find the clone's address: declare a CloneAddressResolver bean");
		}
		this.cloneAddress = address;
		logger.info("Clone " + context.identity().getInstanceId() + " registers its Dubbo services at " + address);
	}

	static List<ProviderModel> providers() {
		List<ProviderModel> providers = new ArrayList<>();
		for (FrameworkModel framework : FrameworkModel.getAllInstances()) {
			providers.addAll(framework.getServiceRepository().allProviderModels());
		}
		return providers;
	}

	static List<ProviderModel> providers(Predicate<ProviderModel> filter) {
		return providers().stream().filter(filter).collect(Collectors.toList());
	}

	private static void checkInterfaceLevelOnly(List<ProviderModel> providers) {
		for (ProviderModel provider : providers) {
			for (RegisterStatedURL stated : provider.getStatedUrl()) {
				if (stated.isRegistered() && SERVICE_DISCOVERY_REGISTRY.equals(stated.getRegistryUrl().getProtocol())) {
					throw new IllegalStateException("Dubbo service " + provider.getServiceKey()
							+ " is registered for application-level service discovery, whose instance record "
							+ "every clone would copy: set dubbo.application.register-mode=interface "
							+ "(or cse.dubbo.enabled=false to leave Dubbo alone)");
				}
			}
		}
	}

	private static Registry registry(RegisterStatedURL stated) {
		URL registryUrl = stated.getRegistryUrl();
		RegistryFactory factory = registryUrl.getOrDefaultApplicationModel()
			.getExtensionLoader(RegistryFactory.class)
			.getAdaptiveExtension();
		return factory.getRegistry(registryUrl);
	}

	// Dubbo looks its local address up once and keeps it in static fields: a clone would go
	// on using the template's. Forgotten, the next lookup finds the clone's.
	private static void forgetCachedLocalAddress() {
		for (String name : NET_UTILS_CACHES) {
			Field field = ReflectionUtils.findField(NetUtils.class, name);
			if (field == null) {
				throw new IllegalStateException("Dubbo's NetUtils has no field " + name + ", so a clone would keep "
						+ "the template's address: use a Dubbo version CSE supports (3.2 or 3.3)");
			}
			ReflectionUtils.makeAccessible(field);
			ReflectionUtils.setField(field, null, null);
		}
	}

}
