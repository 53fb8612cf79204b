package io.cse.ready;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Resumption;

/**
 * Marks a method of a {@link ServerlessReady @ServerlessReady} bean to run whenever the
 * instance comes back after a freeze, dump or clone: reopen what a
 * {@link BeforeCheckpoint @BeforeCheckpoint} method closed, and renew what must be unique
 * per instance.
 * <p>
 * The method must be an instance method that returns {@code void} and takes either no
 * parameter or one {@link CheckpointContext}, whose {@code resumption()} says how the
 * instance came back:
 * <ul>
 * <li>{@link Resumption#THAW}: the same process, thawed after a freeze (or left running
 * after its snapshot was taken);</li>
 * <li>{@link Resumption#RESTORE}: the same instance, restored from its image;</li>
 * <li>{@link Resumption#CLONE}: a new instance restored from a template image, whose
 * {@code identity()} is already the clone's new one ({@code context.isClone()});</li>
 * <li>{@link Resumption#ROLLBACK}: the operation failed before any snapshot was taken.
 * Only the beans whose {@code @BeforeCheckpoint} methods have started (the one whose method
 * failed included) are called back, so that what they closed is opened again; a bean
 * whose quiesce never began, or that has no {@code @BeforeCheckpoint} method, had nothing
 * taken away and is not called. The method must tolerate a quiesce that stopped
 * half-way.</li>
 * </ul>
 * <p>
 * Every {@code @AfterRestore} method runs in ascending {@link #order()} (lower first),
 * across beans, exactly like {@code @BeforeCheckpoint} methods: each annotation carries
 * its own order, so the order is the one written, not the reverse of the other phase. Use
 * a low order for what other hooks need first (a connection), a high one for what uses
 * it. If one method throws, the others still run, and the operation's report names every
 * method that failed.
 *
 * @see BeforeCheckpoint
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface AfterRestore {

	/**
	 * Place of this method among all {@code @AfterRestore} methods: lower runs first.
	 * @return the order
	 */
	int order() default 0;

}
