package io.cse.ready;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.cse.CheckpointContext;

/**
 * Marks a method of a {@link ServerlessReady @ServerlessReady} bean to run before every
 * freeze, dump and clone: close what a snapshot cannot carry (connections, sockets,
 * files), stop threads of your own, flush buffers.
 * <p>
 * The method must be an instance method that returns {@code void} and takes either no
 * parameter or one {@link CheckpointContext} (its {@code operation()} says what is under
 * way; its {@code resumption()} is {@code null}). It may be private, unless the bean is
 * proxied. It may throw: the operation then fails, the hooks that have not run yet do not
 * run, and the instance is rolled back (see {@link AfterRestore}).
 * <p>
 * Every {@code @BeforeCheckpoint} method of every bean runs in ascending {@link #order()}
 * (lower first), across beans; methods with the same order run in the order their beans
 * were registered, then by method name. Together they share one participant timeout
 * ({@code cse.participant-timeout}).
 *
 * @see AfterRestore
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface BeforeCheckpoint {

	/**
	 * Place of this method among all {@code @BeforeCheckpoint} methods: lower runs first.
	 * @return the order
	 */
	int order() default 0;

}
