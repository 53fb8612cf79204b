package example.registry;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.dubbo.common.Version;
import org.apache.dubbo.config.spring.context.annotation.EnableDubbo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.zookeeper.discovery.ZookeeperDiscoveryProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small service that two registries know, as any Spring Boot line from 2.7 on builds it
 * with the CSE starter as its one CSE dependency: Spring Cloud Zookeeper registers it
 * under {@code /services/<spring.application.name>}, and Dubbo publishes its
 * {@link Greeter} to the same ZooKeeper. {@code GET /runtime} says which Spring Boot,
 * Java, Spring Cloud Zookeeper and Dubbo serve it.
 * <p>
 * The source is shared by every line that builds it: Java 8 syntax, and no servlet type.
 * In a package of its own, so that nothing named {@code io.cse} is the service's.
 */
@SpringBootApplication
@EnableDubbo
@RestController
public class RegistryService {

	@GetMapping("/runtime")
	Map<String, String> runtime() {
		Map<String, String> runtime = new LinkedHashMap<>();
		runtime.put("springBoot", SpringBootVersion.getVersion());
		runtime.put("java", System.getProperty("java.specification.version"));
		runtime.put("springCloudZookeeper", ZookeeperDiscoveryProperties.class.getPackage().getImplementationVersion());
		runtime.put("dubbo", Version.getVersion());
		return runtime;
	}

	public static void main(String[] args) {
		SpringApplication.run(RegistryService.class, args);
	}

}
