package io.cse.samples.hsf.consumer;

import java.time.Duration;
import java.util.Map;

import io.cse.samples.hsf.HelloWorldService;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

/**
 * A small consumer of {@link HelloWorldService}: finds the providers in the ZooKeeper
 * registry and calls them, one line per call with the provider that answered:
 * {@code hello : cse <- 10.199.252.5:20880 instance=<its CSE instance id>}.
 * <p>
 * Options: {@code --registry=zookeeper://127.0.0.1:2181} (the default),
 * {@code --calls=N} (default 10; {@code 0}: until the process is stopped),
 * {@code --name=NAME} (default {@code cse}), {@code --interval=MILLIS} between calls
 * (default 0). A call that fails prints {@code FAILED} and the reason, and the consumer
 * goes on; it exits with 1 if any call failed. Each call goes to a provider chosen
 * at random (Dubbo's default load balancing), so many calls reach every provider.
 * <p>
 * Run it from the provider's executable jar:
 * {@code java -cp hsf-provider-0.1.0-SNAPSHOT-exec.jar
 * -Dloader.main=io.cse.samples.hsf.consumer.HelloWorldConsumer
 * org.springframework.boot.loader.launch.PropertiesLauncher --calls=20}
 */
public final class HelloWorldConsumer {

	private HelloWorldConsumer() {
	}

	public static void main(String[] args) throws Exception {
		String registry = "zookeeper://127.0.0.1:2181";
		int calls = 10;
		String name = "cse";
		long interval = 0;
		for (String arg : args) {
			if (arg.startsWith("--registry=")) {
				registry = arg.substring("--registry=".length());
			}
			else if (arg.startsWith("--calls=")) {
				calls = Integer.parseInt(arg.substring("--calls=".length()));
			}
			else if (arg.startsWith("--name=")) {
				name = arg.substring("--name=".length());
			}
			else if (arg.startsWith("--interval=")) {
				interval = Long.parseLong(arg.substring("--interval=".length()));
			}
			else {
				System.err.println("Unknown option '" + arg
						+ "'. Options: --registry=zookeeper://HOST:PORT --calls=N --name=NAME --interval=MILLIS");
				System.exit(2);
			}
		}
		ReferenceConfig<HelloWorldService> reference = new ReferenceConfig<>();
		reference.setInterface(HelloWorldService.class);
		reference.setTimeout((int) Duration.ofSeconds(5).toMillis());
		// Each call once: a retry would hide which provider failed
		reference.setRetries(0);
		// Start even while no provider is registered (a frozen one, say): calls fail until one is
		reference.setCheck(false);
		ApplicationConfig application = new ApplicationConfig("hsf-consumer");
		application.setQosEnable(false);
		application.setRegisterMode("interface");
		// No cache files under ~/.dubbo for a consumer that runs for a minute
		application.setEnableFileCache(false);
		RegistryConfig registryConfig = new RegistryConfig(registry);
		// Dubbo's ZooKeeper registry hands a consumer at most one address change per 5 s by
		// default: it would go on calling a provider that has gone offline to be frozen.
		registryConfig.setParameters(Map.of("delay-notification", "0", "file.cache", "false"));
		DubboBootstrap bootstrap = DubboBootstrap.getInstance()
			.application(application)
			.registry(registryConfig)
			.reference(reference)
			.start();
		int failures = 0;
		try {
			HelloWorldService service = reference.get();
			for (int i = 0; calls == 0 || i < calls; i++) {
				try {
					String answer = service.sayHello(name);
					URL provider = AnsweringProvider.last();
					System.out.println(answer + " <- " + provider.getAddress() + " instance="
							+ provider.getParameter("cse-instance", "?"));
				}
				catch (RuntimeException ex) {
					failures++;
					String reason = String.valueOf(ex.getMessage());
					System.out.println("FAILED " + reason.substring(0, Math.min(200, reason.length())));
				}
				System.out.flush();
				if (interval > 0) {
					Thread.sleep(interval);
				}
			}
		}
		finally {
			System.out.flush();
			bootstrap.stop();
		}
		System.exit((failures == 0) ? 0 : 1);
	}

}
