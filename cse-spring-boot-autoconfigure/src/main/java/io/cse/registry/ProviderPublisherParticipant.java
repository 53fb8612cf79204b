package io.cse.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointParticipant;
import io.cse.ready.ServerlessReady;
import io.cse.ready.ServerlessReadyBeans;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Takes the {@link ServerlessReady @ServerlessReady} beans that a {@link ProviderPublisher}
 * publishes out of their registry while the instance is quiesced, and publishes them again
 * when it resumes.
 * <p>
 * It runs at {@link CheckpointParticipant#REGISTRY_ORDER}: after inbound traffic,
 * executors and other {@code Lifecycle} beans, before the connection pools, so that a
 * registry client still has what it needs to reach its server; and before the beans'
 * own {@code @BeforeCheckpoint} methods, so that no consumer calls a provider that is
 * closing.
 * <ul>
 * <li>Quiesce asks every publisher, for every {@code @ServerlessReady} bean that exists,
 * whether it publishes the bean, and takes each such provider offline. The first that
 * fails fails the quiesce; the coordinator rolls back, and only what went offline comes
 * back.</li>
 * <li>Resume brings back online what went offline, in the reverse order. A provider that
 * cannot be published again does not keep the others from coming back; it stays offline,
 * the resume fails with every error, and it is tried again on the next resume.</li>
 * </ul>
 */
public class ProviderPublisherParticipant implements CheckpointParticipant {

	/** The participant's name, in reports, errors and metrics. */
	public static final String NAME = "providers";

	private static final Log logger = LogFactory.getLog(ProviderPublisherParticipant.class);

	private final ServerlessReadyBeans beans;

	private final Supplier<List<ProviderPublisher>> publishers;

	private final List<Offline> offline = Collections.synchronizedList(new ArrayList<>());

	/**
	 * Create a participant.
	 * @param beans the {@code @ServerlessReady} beans
	 * @param publishers returns the publishers, asked at each quiesce
	 */
	public ProviderPublisherParticipant(ServerlessReadyBeans beans, Supplier<List<ProviderPublisher>> publishers) {
		this.beans = beans;
		this.publishers = publishers;
	}

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public int getOrder() {
		return REGISTRY_ORDER;
	}

	/**
	 * Return the providers that the last quiesce took offline and that are not online
	 * again yet, as {@code publisher:bean}.
	 * @return the providers offline
	 */
	public List<String> getOffline() {
		synchronized (this.offline) {
			return this.offline.stream().map(Offline::toString).collect(Collectors.toList());
		}
	}

	@Override
	public void quiesce(CheckpointContext context) throws Exception {
		List<ProviderPublisher> all = this.publishers.get();
		if (all.isEmpty()) {
			return;
		}
		for (Map.Entry<String, Object> ready : this.beans.getCreatedBeans().entrySet()) {
			String name = ready.getKey();
			Object bean = ready.getValue();
			for (ProviderPublisher publisher : all) {
				Offline provider = new Offline(publisher, name, bean);
				// Still offline after a resume that failed: it comes back with the next resume
				if (!publisher.publishes(bean) || this.offline.contains(provider)) {
					continue;
				}
				try {
					publisher.offline(bean, context);
				}
				catch (Exception ex) {
					throw new IllegalStateException("Publisher '" + publisher.getName() + "' could not take bean '"
							+ name + "' offline: " + message(ex), ex);
				}
				// Recorded once it is offline, so that a rollback brings back only what went
				this.offline.add(provider);
				logger.info("Took " + provider + " offline for the " + context.operation().name().toLowerCase(Locale.ROOT));
			}
		}
	}

	@Override
	public void resume(CheckpointContext context) throws Exception {
		List<Offline> providers = new ArrayList<>(getOfflineProviders());
		Collections.reverse(providers);
		List<String> errors = new ArrayList<>();
		Exception first = null;
		for (Offline provider : providers) {
			try {
				provider.publisher().online(provider.bean(), context);
				this.offline.remove(provider);
				logger.info("Brought " + provider + " online again after the "
						+ context.resumption().name().toLowerCase(Locale.ROOT)
						+ (context.isClone() ? ", as instance " + context.identity().getInstanceId() : ""));
			}
			catch (Exception ex) {
				errors.add("publisher '" + provider.publisher().getName() + "' could not bring bean '"
						+ provider.beanName() + "' online"
						+ ((context.resumption() == Resumption.ROLLBACK) ? " after the rollback" : "") + ": "
						+ message(ex));
				first = (first != null) ? first : ex;
			}
		}
		if (!errors.isEmpty()) {
			throw new IllegalStateException(String.join("; ", errors)
					+ " (it stays offline and is tried again on the next resume)", first);
		}
	}

	private List<Offline> getOfflineProviders() {
		synchronized (this.offline) {
			return new ArrayList<>(this.offline);
		}
	}

	private static String message(Exception ex) {
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getName();
	}

	private static final class Offline {

		private final ProviderPublisher publisher;

		private final String beanName;

		private final Object bean;

		Offline(ProviderPublisher publisher, String beanName, Object bean) {
			this.publisher = publisher;
			this.beanName = beanName;
			this.bean = bean;
		}

		ProviderPublisher publisher() {
			return this.publisher;
		}

		String beanName() {
			return this.beanName;
		}

		Object bean() {
			return this.bean;
		}

		@Override
		public boolean equals(Object other) {
			if (!(other instanceof Offline)) {
				return false;
			}
			Offline that = (Offline) other;
			return this.publisher == that.publisher && this.beanName.equals(that.beanName);
		}

		@Override
		public int hashCode() {
			return System.identityHashCode(this.publisher) * 31 + this.beanName.hashCode();
		}

		@Override
		public String toString() {
			return this.publisher.getName() + ":" + this.beanName;
		}

	}

}
