package io.cse.compat;

import java.time.Duration;
import java.util.Map;

import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.apache.dubbo.rpc.service.GenericService;

/**
 * A Dubbo consumer of a registry service's {@code example.registry.Greeter}, in the
 * tests' JVM: it finds the providers in ZooKeeper, as any consumer does, and calls them
 * over the network. A generic call, by the interface's name: the tests share no type with
 * the service. Each caller is a Dubbo application of its own, so that cells side by side
 * keep their registries apart.
 */
final class GreeterCaller implements AutoCloseable {

	static final String GREETER = "example.registry.Greeter";

	private final ApplicationModel application;

	private final GenericService greeter;

	/**
	 * Start a consumer that subscribes to the providers of one registry group.
	 * @param connectString ZooKeeper's {@code host:port}
	 * @param group the registry group the providers register under
	 */
	GreeterCaller(String connectString, String group) {
		this.application = FrameworkModel.defaultModel().newApplication();
		ApplicationConfig applicationConfig = new ApplicationConfig("compat-caller-" + group);
		applicationConfig.setQosEnable(false);
		applicationConfig.setRegisterMode("interface");
		applicationConfig.setEnableFileCache(false);
		RegistryConfig registry = new RegistryConfig("zookeeper://" + connectString);
		registry.setGroup(group);
		// Subscribes only: the consumer leaves no node of its own
		registry.setRegister(false);
		// Dubbo's ZooKeeper registry hands a consumer at most one address change per 5 s by
		// default: it would go on calling a provider that went offline for a freeze.
		registry.setParameters(Map.of("delay-notification", "0", "file.cache", "false"));
		ReferenceConfig<GenericService> reference = new ReferenceConfig<>(this.application.getDefaultModule());
		reference.setInterface(GREETER);
		reference.setGeneric("true");
		// Starts while no provider is registered; each call once, so a failure is seen
		reference.setCheck(false);
		reference.setRetries(0);
		reference.setTimeout((int) Duration.ofSeconds(5).toMillis());
		DubboBootstrap.getInstance(this.application)
			.application(applicationConfig)
			.registry(registry)
			.reference(reference)
			.start();
		this.greeter = reference.get();
	}

	/**
	 * Call {@code Greeter.greet(name)} on a provider the registry knows.
	 * @param name who to greet
	 * @return the provider's answer
	 * @throws org.apache.dubbo.rpc.RpcException if no provider is registered, or the call
	 * failed
	 */
	String greet(String name) {
		return (String) this.greeter.$invoke("greet", new String[] { String.class.getName() }, new Object[] { name });
	}

	@Override
	public void close() {
		this.application.destroy();
	}

}
