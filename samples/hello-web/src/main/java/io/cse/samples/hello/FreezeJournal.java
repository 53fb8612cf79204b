package io.cse.samples.hello;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A participant of the application's own: it records every quiesce and resume in the
 * database. It needs the pool, so it runs before the pool is released and after it is
 * back: its order is just below {@link CheckpointParticipant#POOL_ORDER}.
 */
@Component
class FreezeJournal implements CheckpointParticipant {

	private final JdbcTemplate jdbcTemplate;

	FreezeJournal(JdbcTemplate jdbcTemplate) {
		this.jdbcTemplate = jdbcTemplate;
	}

	@Override
	public String getName() {
		return "freeze-journal";
	}

	@Override
	public int getOrder() {
		return POOL_ORDER - 1;
	}

	@Override
	public void quiesce(CheckpointContext context) {
		record("quiesce " + context.operation(), context);
	}

	@Override
	public void resume(CheckpointContext context) {
		record("resume " + context.resumption(), context);
	}

	private void record(String event, CheckpointContext context) {
		this.jdbcTemplate.update("insert into freeze_journal (event, instance_id, at) values (?, ?, now())", event,
				context.identity().getInstanceId());
	}

}
