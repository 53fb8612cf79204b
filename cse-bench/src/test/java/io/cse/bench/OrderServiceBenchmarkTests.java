package io.cse.bench;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code cse-bench order-service} reads from the freeze and thaw reports and from the
 * service's log, without starting anything.
 */
class OrderServiceBenchmarkTests {

	@Test
	void stepsAreSummedPerParticipantAndPhase() throws Exception {
		OrderServiceBenchmark.Result result = new OrderServiceBenchmark.Result();
		result.addSteps(new ObjectMapper().readTree("""
				[{"participant":"lifecycle","phase":"quiesce","ms":1400.5},
				 {"participant":"druid","phase":"quiesce","ms":1.5},
				 {"participant":"druid","phase":"quiesce","ms":0.5},
				 {"participant":"redis","phase":"resume","ms":0.25}]"""));
		assertThat(result.quiesce).containsOnlyKeys("lifecycle", "druid");
		assertThat(result.quiesce.get("druid")).containsExactly(2.0);
		assertThat(result.resume.get("redis")).containsExactly(0.25);
	}

	@Test
	void listenerContainerStopsAreTimedWithinEachFreeze() {
		OrderServiceBenchmark.Result result = new OrderServiceBenchmark.Result();
		result.freezeWindows.add(new Instant[] { Instant.parse("2026-12-03T11:57:00.600Z"),
				Instant.parse("2026-12-03T11:57:02.200Z") });
		result.containerStops(List.of(
				"2026-12-03T11:56:58.778Z  INFO 2117 --- [x] o.s.a.r.l.SimpleMessageListenerContainer : Waiting for workers to finish.",
				"2026-12-03T11:56:58.939Z  INFO 2117 --- [x] o.s.a.r.l.SimpleMessageListenerContainer : Successfully waited for workers to finish.",
				"2026-12-03T11:57:00.691Z  INFO 2117 --- [x] o.s.a.r.l.SimpleMessageListenerContainer : Waiting for workers to finish.",
				"	at a stack trace line",
				"2026-12-03T11:57:01.624Z  INFO 2117 --- [x] o.s.a.r.l.SimpleMessageListenerContainer : Successfully waited for workers to finish.",
				"2026-12-03T11:57:01.630Z  INFO 2117 --- [x] o.s.k.l.KafkaMessageListenerContainer : order-service: partitions revoked: [order-events-0]",
				"2026-12-03T11:57:02.106Z  INFO 2117 --- [x] o.s.k.l.KafkaMessageListenerContainer : order-service: Consumer stopped"));
		assertThat(result.rabbitStop).containsExactly(933.0);
		assertThat(result.kafkaStop).containsExactly(476.0);
	}

}
