package io.cse.samples.orders;

import javax.sql.DataSource;

import com.alibaba.druid.pool.DruidDataSource;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestTemplate;

/**
 * A service written the way many were before anyone thought of snapshots: an Alibaba
 * Druid pool it builds itself, Redis as a cache, a RabbitMQ listener, a Kafka producer and
 * listener, an Apache HttpClient 5 pool behind a {@code RestTemplate}, and a log file. Its
 * only CSE dependency is the starter; nothing in it knows about freezing.
 * <p>
 * {@link OrderController} takes orders, {@link PaymentListener} reads payments from
 * RabbitMQ and {@link OrderEventListener} the order events from Kafka.
 */
@SpringBootApplication
public class OrderServiceApplication {

	/**
	 * The Druid pool, bound from {@code orders.datasource.*}: built by hand, as services
	 * without Druid's Spring Boot starter do.
	 */
	@Bean(initMethod = "init", destroyMethod = "close")
	@ConfigurationProperties("orders.datasource")
	DataSource dataSource() {
		DruidDataSource dataSource = new DruidDataSource();
		dataSource.setName("orders");
		return dataSource;
	}

	/**
	 * The client of the pricing service: a pool of keep-alive connections, which must not
	 * go into a snapshot.
	 */
	@Bean(destroyMethod = "close")
	CloseableHttpClient pricingHttpClient() {
		return HttpClients.custom()
			.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(5).build())
			.build();
	}

	@Bean
	RestTemplate pricingRestTemplate(CloseableHttpClient pricingHttpClient) {
		return new RestTemplate(new HttpComponentsClientHttpRequestFactory(pricingHttpClient));
	}

	public static void main(String[] args) {
		SpringApplication.run(OrderServiceApplication.class, args);
	}

}
