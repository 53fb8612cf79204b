package io.cse.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.InstanceIdentity;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link HttpClientPoolParticipant} with every client library, against a real
 * keep-alive HTTP server in a process of its own, which counts the connections it holds.
 */
@ExtendWith(OutputCaptureExtension.class)
class HttpClientPoolParticipantTests {

	private static final InstanceIdentity IDENTITY = new InstanceIdentity(Clock.systemUTC());

	private static final CheckpointContext FREEZE = new CheckpointContext(Operation.FREEZE, null, IDENTITY);

	private static final CheckpointContext THAW = new CheckpointContext(Operation.FREEZE, Resumption.THAW, IDENTITY);

	private static KeepAliveServer server;

	@BeforeAll
	static void startServer() throws IOException {
		server = KeepAliveServer.start();
	}

	@AfterAll
	static void stopServer() throws InterruptedException {
		if (server != null) {
			server.close();
		}
	}

	@Test
	void closesTheIdleConnectionsOfEveryLibraryFoundAsBeansOrInsideThemAndTheyConnectAgain(CapturedOutput output)
			throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Clients.class)) {
			HttpClientPoolParticipant participant = new HttpClientPoolParticipant(context.getBeanFactory(),
					List.of(new ApacheHttpClient5PoolCloser(), new ApacheHttpClient4PoolCloser(), new OkHttpPoolCloser()));
			Callers callers = context.getBean(Callers.class);
			callers.callWithEveryClient();
			// RestTemplate and RestClient on Apache HttpClient 5, its async client, Apache HttpClient 4,
			// OkHttp, the JDK's
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.openConnections()).isEqualTo(6));

			participant.quiesce(FREEZE);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(server.openConnections())
					.as("connections left open, seen by the server: the JDK HttpClient's alone")
					.isEqualTo(1));
			assertThat(output).contains("The JDK HttpClient in bean 'callers' > jdk keeps its idle connections open");

			participant.resume(THAW);
			callers.callWithEveryClient();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.openConnections()).isEqualTo(6));
		}
	}

	@Test
	void warnsOnceAboutAJdkHttpClient(CapturedOutput output) throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Clients.class)) {
			HttpClientPoolParticipant participant = new HttpClientPoolParticipant(context.getBeanFactory(), List.of());
			for (int i = 0; i < 3; i++) {
				participant.quiesce(FREEZE);
				participant.resume(THAW);
			}
			assertThat(output.toString().split("The JDK HttpClient in bean 'callers' > jdk", -1)).hasSize(2);
		}
	}

	/**
	 * A service's outbound calls, the way services make them: a RestTemplate bean (with an
	 * interceptor, which wraps its request factory), a RestClient built inside the service,
	 * the libraries' own clients as beans (Apache HttpClient 5's async one is what Spring's
	 * HttpComponentsClientHttpConnector runs a WebClient on), and a JDK HttpClient of its own.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Clients {

		@Bean
		RestTemplate restTemplate() {
			RestTemplate restTemplate = new RestTemplate(new HttpComponentsClientHttpRequestFactory());
			restTemplate.getInterceptors().add((request, body, execution) -> execution.execute(request, body));
			return restTemplate;
		}

		@Bean
		OkHttpClient okHttpClient() {
			return new OkHttpClient();
		}

		@Bean(destroyMethod = "close")
		CloseableHttpClient apacheHttpClient4() {
			return org.apache.http.impl.client.HttpClients.createDefault();
		}

		@Bean(destroyMethod = "close")
		CloseableHttpAsyncClient apacheHttpAsyncClient5() {
			CloseableHttpAsyncClient client = HttpAsyncClients.createDefault();
			client.start();
			return client;
		}

		@Bean
		Callers callers(RestTemplate restTemplate, OkHttpClient okHttpClient, CloseableHttpClient apacheHttpClient4,
				CloseableHttpAsyncClient apacheHttpAsyncClient5) {
			return new Callers(restTemplate, okHttpClient, apacheHttpClient4, apacheHttpAsyncClient5);
		}

	}

	static class Callers {

		private final RestTemplate restTemplate;

		private final RestClient restClient = RestClient.builder()
			.requestFactory(new HttpComponentsClientHttpRequestFactory())
			.build();

		private final OkHttpClient okHttp;

		private final CloseableHttpClient apacheHttpClient4;

		private final CloseableHttpAsyncClient apacheHttpAsyncClient5;

		private final HttpClient jdk = HttpClient.newHttpClient();

		Callers(RestTemplate restTemplate, OkHttpClient okHttp, CloseableHttpClient apacheHttpClient4,
				CloseableHttpAsyncClient apacheHttpAsyncClient5) {
			this.restTemplate = restTemplate;
			this.okHttp = okHttp;
			this.apacheHttpClient4 = apacheHttpClient4;
			this.apacheHttpAsyncClient5 = apacheHttpAsyncClient5;
		}

		void callWithEveryClient() throws Exception {
			String url = server.url("/hello");
			assertThat(this.restTemplate.getForObject(url, String.class)).isEqualTo("hello");
			assertThat(this.restClient.get().uri(url).retrieve().body(String.class)).isEqualTo("hello");
			try (Response response = this.okHttp.newCall(new Request.Builder().url(url).build()).execute()) {
				assertThat(response.body().string()).isEqualTo("hello");
			}
			try (CloseableHttpResponse response = this.apacheHttpClient4.execute(new HttpGet(url))) {
				assertThat(EntityUtils.toString(response.getEntity())).isEqualTo("hello");
			}
			SimpleHttpResponse async = this.apacheHttpAsyncClient5.execute(SimpleRequestBuilder.get(url).build(), null)
				.get(10, TimeUnit.SECONDS);
			assertThat(async.getBodyText()).isEqualTo("hello");
			HttpResponse<String> response = this.jdk.send(HttpRequest.newBuilder(URI.create(url)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.body()).isEqualTo("hello");
		}

	}

}
