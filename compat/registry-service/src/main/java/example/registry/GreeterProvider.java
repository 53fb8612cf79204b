package example.registry;

import org.apache.dubbo.config.annotation.DubboService;

import org.springframework.beans.factory.annotation.Value;

/**
 * The {@link Greeter} that Dubbo exports and registers in ZooKeeper, under
 * {@code /<dubbo.registry.group>/example.registry.Greeter/providers}.
 */
@DubboService
class GreeterProvider implements Greeter {

	private final String serviceName;

	GreeterProvider(@Value("${spring.application.name}") String serviceName) {
		this.serviceName = serviceName;
	}

	@Override
	public String greet(String name) {
		return "hello " + name + " from " + this.serviceName;
	}

}
