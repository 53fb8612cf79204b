package io.cse.samples.hello;

import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;

import org.springframework.core.task.TaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A participant of the application's own: it records every quiesce and resume in the
 * database. It needs the pool, so it runs before the pool is released and after it is
 * back: its order is just below {@link CheckpointParticipant#POOL_ORDER}.
 * <p>
 * The quiesce writes at once: the pool is released right after. The resume hands its
 * write to the application's executor instead, so that the thaw does not wait for a new
 * database connection; the executor runs it as soon as it resumes, a moment later.
 */
@Component
class FreezeJournal implements CheckpointParticipant {

	private final JdbcTemplate jdbcTemplate;

	private final TaskExecutor applicationTaskExecutor;

	FreezeJournal(JdbcTemplate jdbcTemplate, TaskExecutor applicationTaskExecutor) {
		this.jdbcTemplate = jdbcTemplate;
		this.applicationTaskExecutor = applicationTaskExecutor;
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
		String instanceId = context.identity().getInstanceId();
		this.applicationTaskExecutor.execute(() -> record("resume " + context.resumption(), instanceId));
	}

	private void record(String event, CheckpointContext context) {
		record(event, context.identity().getInstanceId());
	}

	private void record(String event, String instanceId) {
		this.jdbcTemplate.update("insert into freeze_journal (event, instance_id, at) values (?, ?, now())", event,
				instanceId);
	}

}
