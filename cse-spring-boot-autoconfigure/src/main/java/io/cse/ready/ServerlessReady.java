package io.cse.ready;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.cse.CheckpointContext;
import io.cse.InstanceIdentity;

/**
 * Marks a singleton bean as ready to be frozen, snapshotted and cloned: the one thing a
 * developer adds to a service class.
 * <p>
 * Its {@link BeforeCheckpoint @BeforeCheckpoint} methods run before every freeze, dump and
 * clone, once inbound traffic, executors, other {@code Lifecycle} beans and connection
 * pools are quiesced; its {@link AfterRestore @AfterRestore} methods run when the instance
 * comes back, with a {@link CheckpointContext} that says how (the same process thawed, the
 * same instance restored, or a new clone with a new {@link InstanceIdentity}).
 * <p>
 * At start-up the starter checks the bean's fields, and those of its superclasses, for
 * uniqueness hazards: values computed once that every clone would copy (random
 * generators, {@code UUID}s, ids, seeds and start times) and resources a snapshot cannot
 * carry (open sockets, running threads). Each finding is logged and listed by
 * {@code GET /actuator/cse/hazardCheck};
 * {@code cse.serverless-ready.hazard-check.fail-on=error} makes an {@code ERROR} finding
 * stop the start-up. A field that the bean renews itself, in an {@code @AfterRestore}
 * method, can be left out of the check with {@link #ignoreHazards()}.
 * <p>
 * Misuse stops the start-up with a message that names the bean, the method and the fix:
 * the bean must be a singleton, and hook methods must be instance methods that return
 * {@code void} and take no parameter or one {@link CheckpointContext}.
 *
 * @see BeforeCheckpoint
 * @see AfterRestore
 */
@Target({ ElementType.TYPE, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ServerlessReady {

	/**
	 * Names of fields (of the annotated class or its superclasses) that the uniqueness
	 * hazard check leaves alone, typically because an {@link AfterRestore @AfterRestore}
	 * method of the bean renews them. A name that matches no field is a start-up error.
	 * @return the names of the fields to leave out of the check
	 */
	String[] ignoreHazards() default {};

}
