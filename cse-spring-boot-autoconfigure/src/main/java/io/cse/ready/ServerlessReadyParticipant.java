package io.cse.ready;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The participant that runs the hooks of every {@link ServerlessReady @ServerlessReady}
 * bean, at {@link CheckpointParticipant#USER_ORDER}: after inbound traffic, executors,
 * other {@code Lifecycle} beans, registries and connection pools are quiesced, and before
 * they resume.
 * <ul>
 * <li>Quiesce runs every {@link BeforeCheckpoint @BeforeCheckpoint} method in ascending
 * order. The first that throws fails the quiesce; the methods after it do not run, and the
 * coordinator rolls the operation back.</li>
 * <li>Resume runs every {@link AfterRestore @AfterRestore} method in ascending order (its
 * own order, not the reverse of the quiesce: see {@link AfterRestore}). A method that
 * throws does not keep the others from running; the resume then fails with every error.
 * On a {@link Resumption#ROLLBACK rollback}, only the beans whose
 * {@code @BeforeCheckpoint} methods started are called back.</li>
 * </ul>
 * Hooks are called through the bean's proxy, if it has one, as Spring calls
 * {@code @EventListener} methods.
 */
public class ServerlessReadyParticipant implements CheckpointParticipant {

	/** The participant's name, in reports, errors and metrics. */
	public static final String NAME = "serverless-ready";

	private static final Log logger = LogFactory.getLog(ServerlessReadyParticipant.class);

	private final ServerlessReadyBeans beans;

	private final Set<String> quiescedBeans = ConcurrentHashMap.newKeySet();

	/**
	 * Create a participant for the given beans.
	 * @param beans the {@code @ServerlessReady} beans and their hooks
	 */
	public ServerlessReadyParticipant(ServerlessReadyBeans beans) {
		this.beans = beans;
	}

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public int getOrder() {
		return USER_ORDER;
	}

	@Override
	public void quiesce(CheckpointContext context) throws Exception {
		this.quiescedBeans.clear();
		for (HookMethod hook : this.beans.beforeCheckpointHooks()) {
			if (Thread.currentThread().isInterrupted()) {
				// The coordinator gave up on this quiesce and is rolling it back.
				throw new InterruptedException("Interrupted before @BeforeCheckpoint method " + hook);
			}
			Object bean = this.beans.instanceIfCreated(hook.beanName());
			if (bean != null) {
				this.quiescedBeans.add(hook.beanName());
				invoke(hook, "@BeforeCheckpoint", bean, context);
			}
		}
	}

	@Override
	public void resume(CheckpointContext context) throws Exception {
		boolean rollback = context.resumption() == Resumption.ROLLBACK;
		List<Exception> failures = new ArrayList<>();
		for (HookMethod hook : this.beans.afterRestoreHooks()) {
			if (rollback && !this.quiescedBeans.contains(hook.beanName())) {
				continue;
			}
			Object bean = this.beans.instanceIfCreated(hook.beanName());
			if (bean != null) {
				try {
					invoke(hook, "@AfterRestore", bean, context);
				}
				catch (Exception ex) {
					failures.add(ex);
				}
			}
		}
		this.quiescedBeans.clear();
		if (!failures.isEmpty()) {
			IllegalStateException failure = new IllegalStateException(
					String.join("; ", failures.stream().map(Exception::getMessage).collect(Collectors.toList())), failures.get(0));
			failures.stream().skip(1).forEach(failure::addSuppressed);
			throw failure;
		}
	}

	private static void invoke(HookMethod hook, String kind, Object bean, CheckpointContext context)
			throws Exception {
		Method method = AopUtils.selectInvocableMethod(hook.method(), bean.getClass());
		ReflectionUtils.makeAccessible(method);
		Object[] arguments = (method.getParameterCount() == 1) ? new Object[] { context } : new Object[0];
		long start = System.nanoTime();
		try {
			method.invoke(bean, arguments);
		}
		catch (InvocationTargetException ex) {
			Throwable cause = ex.getTargetException();
			if (cause instanceof Error) {
				throw (Error) cause;
			}
			String reason = (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getName();
			throw new IllegalStateException(kind + " method " + hook + " failed: " + reason, cause);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Ran " + kind + " method " + hook + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
		}
	}

}
