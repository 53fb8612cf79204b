package io.cse.samples.hsf;

import org.apache.dubbo.config.spring.context.annotation.EnableDubbo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The provider: publishes {@link HelloWorldServiceImpl} through Dubbo to the ZooKeeper
 * registry named by {@code dubbo.registry.address}, and exposes {@code /actuator/cse}.
 */
@SpringBootApplication
@EnableDubbo
public class HsfProviderApplication {

	public static void main(String[] args) {
		SpringApplication.run(HsfProviderApplication.class, args);
	}

}
