package io.cse.registry;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.netflix.appinfo.InstanceInfo;
import com.netflix.discovery.DiscoveryClient;
import io.cse.CheckpointContext;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cloud.netflix.eureka.serviceregistry.EurekaAutoServiceRegistration;
import org.springframework.cloud.netflix.eureka.serviceregistry.EurekaRegistration;

/**
 * Takes the application's Spring Cloud Netflix Eureka registration out of service
 * ({@code DOWN}) while it is quiesced and back {@code UP} when it resumes, and waits each
 * time until the Eureka server has taken the change; a clone comes back under its own
 * instance id and address.
 * <p>
 * Eureka's auto-registration is a {@code Lifecycle} bean, and stopping it only changes
 * the status that the client holds: the client sends status changes to the server through
 * a replicator that allows a burst of two and then one every 15 seconds by default, and
 * drops the others until its next scheduled run. A freeze could take half a minute to show
 * in Eureka, and a quick freeze and thaw could leave the instance {@code DOWN} there as
 * long. This participant therefore stops and starts the auto-registration itself (before
 * the {@code lifecycle} participant would), and then registers the instance with the
 * server at once, through the client's own transport (its servers, retries and
 * credentials), as the client's heartbeat does when the server has lost it. The quiesce
 * fails, and the freeze is rolled back, when no server acknowledges the change.
 * <p>
 * After a clone restore ({@link CheckpointContext#isClone()}) the registration is first
 * given the clone's {@link io.cse.InstanceIdentity#getInstanceId() instance id} and the
 * address that the {@link CloneAddressResolver} finds, by the given
 * {@link RegistrationRenewer}. A clone whose registration cannot be renewed stays out of
 * Eureka rather than take the template's entry, and the resume fails with a message that
 * says so. The template's own entry is left as it is: the template may still run.
 */
public class EurekaRegistrationParticipant implements CheckpointParticipant {

	private static final Log logger = LogFactory.getLog(EurekaRegistrationParticipant.class);

	private final Supplier<EurekaAutoServiceRegistration> autoRegistration;

	private final Supplier<EurekaRegistration> registration;

	private final RegistrationRenewer renewer;

	private final CloneAddressResolver addressResolver;

	private volatile boolean deregistered;

	private volatile boolean withheld;

	/**
	 * Create a participant.
	 * @param autoRegistration returns Spring Cloud's Eureka auto-registration, or
	 * {@code null} if the application has none
	 * @param registration returns the registration that it registers
	 * @param renewer gives a clone's registration the clone's instance id and address
	 * @param addressResolver finds a clone's address after its restore
	 */
	public EurekaRegistrationParticipant(Supplier<EurekaAutoServiceRegistration> autoRegistration,
			Supplier<EurekaRegistration> registration, RegistrationRenewer renewer,
			CloneAddressResolver addressResolver) {
		this.autoRegistration = autoRegistration;
		this.registration = registration;
		this.renewer = renewer;
		this.addressResolver = addressResolver;
	}

	@Override
	public String getName() {
		return "eureka";
	}

	/**
	 * Return an order just before the {@code lifecycle} participant's, which would
	 * otherwise stop Eureka's auto-registration itself and leave the server to hear of
	 * it whenever the client's replicator next runs. Registered again after every other
	 * lifecycle bean has started.
	 */
	@Override
	public int getOrder() {
		return LIFECYCLE_ORDER - 1;
	}

	/**
	 * Return whether the last quiesce took the instance out of Eureka and no resume has
	 * put it back yet.
	 * @return whether the instance is {@code DOWN} in Eureka because of this participant
	 */
	public boolean isDeregistered() {
		return this.deregistered;
	}

	/**
	 * Return whether this process is a clone whose registration could not be renewed: it
	 * keeps the template's id, so it is never registered again by this process.
	 * @return whether the registration is withheld
	 */
	public boolean isWithheld() {
		return this.withheld;
	}

	@Override
	public void quiesce(CheckpointContext context) throws Exception {
		EurekaAutoServiceRegistration autoRegistration = this.autoRegistration.get();
		EurekaRegistration registration = this.registration.get();
		if (autoRegistration == null || registration == null || !autoRegistration.isRunning()
				|| !this.renewer.isRegistered(registration)) {
			return;
		}
		// Spring Cloud's own deregistration: the client's status becomes DOWN
		autoRegistration.stop();
		// Recorded once it is out, so that a rollback puts back only what was taken out
		this.deregistered = true;
		long took = send(registration);
		logger.info("Eureka took " + describe(registration) + " for the "
				+ context.operation().name().toLowerCase(Locale.ROOT) + " (" + took + " ms)");
	}

	@Override
	public void resume(CheckpointContext context) throws Exception {
		if (!this.deregistered) {
			return;
		}
		EurekaAutoServiceRegistration autoRegistration = this.autoRegistration.get();
		EurekaRegistration registration = this.registration.get();
		if (context.isClone()) {
			try {
				this.renewer.renew(registration, new RegistrationRenewer.RenewedInstance(
						context.identity().getInstanceId(), this.addressResolver.resolve()));
			}
			catch (Exception ex) {
				this.deregistered = false;
				this.withheld = true;
				throw new IllegalStateException("This clone stays out of Eureka: its registration " + describe(registration)
						+ " still has the template's id and address and could not be renewed (" + ex.getMessage() + ")",
						ex);
			}
		}
		// Spring Cloud's own registration: the client's status becomes the configured
		// initial status (UP unless set otherwise)
		autoRegistration.start();
		this.deregistered = false;
		long took = send(registration);
		logger.info("Eureka took " + describe(registration) + " after the "
				+ context.resumption().name().toLowerCase(Locale.ROOT) + " (" + took + " ms)");
	}

	/**
	 * Register the instance with the Eureka server, with the status that the client holds,
	 * and wait for the server's answer.
	 * @return how long the server took to acknowledge it, in milliseconds
	 */
	private static long send(EurekaRegistration registration) {
		DiscoveryClient client = registration.getEurekaClient();
		InstanceInfo info = registration.getApplicationInfoManager().getInfo();
		long start = System.nanoTime();
		// Newer than any change the client's replicator may still be sending: the server
		// keeps the newest of the registrations it receives
		long changedAt = info.setIsDirtyWithTime();
		Object acknowledged;
		try {
			acknowledged = registerMethod().invoke(client);
		}
		catch (InvocationTargetException ex) {
			throw notTaken(registration, String.valueOf(ex.getTargetException().getMessage()), ex.getTargetException());
		}
		catch (IllegalAccessException ex) {
			throw notTaken(registration, ex.getMessage(), ex);
		}
		if (!Boolean.TRUE.equals(acknowledged)) {
			throw notTaken(registration, "no Eureka server acknowledged the registration (see the client's log)", null);
		}
		// Sent: the client's replicator need not send it again
		info.unsetIsDirty(changedAt);
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
	}

	/**
	 * The client registers itself with this method when its heartbeat finds the server
	 * has lost it; it is package-private, as it is in every Eureka 1.x and 2.x client.
	 */
	private static Method registerMethod() {
		try {
			Method register = DiscoveryClient.class.getDeclaredMethod("register");
			register.setAccessible(true);
			return register;
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException("This version of the Eureka client has no DiscoveryClient.register(),"
					+ " through which the starter sends a status change at once: set cse.eureka.enabled=false (its"
					+ " lifecycle participant then stops the registration, and the client sends the change when it"
					+ " next replicates)", ex);
		}
	}

	private static IllegalStateException notTaken(EurekaRegistration registration, String reason, Throwable cause) {
		InstanceInfo info = registration.getApplicationInfoManager().getInfo();
		return new IllegalStateException("Eureka did not take status " + info.getStatus() + " of "
				+ describe(registration) + ": " + reason + ". Check that a server of eureka.client.service-url is"
				+ " reachable, or set cse.eureka.enabled=false to leave the status to the client's own replication",
				cause);
	}

	private static String describe(EurekaRegistration registration) {
		InstanceInfo info = registration.getApplicationInfoManager().getInfo();
		return "instance " + info.getId() + " of " + info.getAppName() + " (" + info.getStatus() + ", at "
				+ info.getIPAddr() + ":" + info.getPort() + ")";
	}

}
