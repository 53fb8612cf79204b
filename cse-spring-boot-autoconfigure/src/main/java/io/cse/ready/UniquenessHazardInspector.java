package io.cse.ready;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.nio.channels.NetworkChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

import io.cse.entropy.SecureRandomReseeder;
import io.cse.entropy.ThreadLocalRandomReseeder;
import io.cse.ready.UniquenessHazard.Severity;

import org.springframework.util.ClassUtils;

/**
 * Finds the uniqueness hazards of a {@link ServerlessReady @ServerlessReady} bean: the
 * fields, static or not, of its class and superclasses that hold something every clone
 * restored from a snapshot would copy, or that a snapshot cannot carry.
 * <ul>
 * <li>{@code ERROR}: a random number generator ({@code Random}, {@code SplittableRandom},
 * any {@code RandomGenerator}; a {@code SecureRandom} only where restores do not reseed, since
 * they reseed those of singleton beans), a {@code UUID}, an open socket or
 * network channel, a running thread, and a number or string whose name says it is a
 * seed;</li>
 * <li>{@code WARN}: an executor that is not shut down (the starter pauses only Spring's
 * task executors), and a string, number, {@code Instant} or {@code Date} whose name says it
 * is an id ({@code uuid}, {@code instanceId}, {@code workerId}, {@code nodeId},
 * {@code machineId}) or a start time ({@code startedAt}, {@code startTime},
 * {@code startupTime}, {@code bootTime}).</li>
 * </ul>
 * Only fields that are set count: {@code null}, zero, an empty string, a closed socket,
 * a thread that is not alive and an executor that is shut down are not hazards. The check
 * reads the fields of the bean itself, not of the objects they refer to, and cannot see
 * calls such as {@code Math.random()}, whose state a clone copies too.
 * <p>
 * {@link #inspectJvm()} names the generators of the JVM itself that every clone would
 * share because the starter cannot renew them on a restore: the JVM's default
 * {@code SecureRandom} when it is a deterministic kind, and {@code ThreadLocalRandom} when
 * its seeds cannot be reached or restores do not reseed.
 */
public class UniquenessHazardInspector {

	private final boolean restoresReseeded;

	/**
	 * Create an inspector for an application whose restores reseed the generators the
	 * starter can reach.
	 */
	public UniquenessHazardInspector() {
		this(true);
	}

	/**
	 * Create an inspector.
	 * @param restoresReseeded whether every restore of an image reseeds the generators the
	 * starter can reach ({@code cse.clone.reseed.enabled})
	 */
	public UniquenessHazardInspector(boolean restoresReseeded) {
		this.restoresReseeded = restoresReseeded;
	}

	/**
	 * Inspect the JVM's own generators, which no bean holds.
	 * @return the hazards found, with no bean name
	 */
	public List<UniquenessHazard> inspectJvm() {
		List<UniquenessHazard> hazards = new ArrayList<>();
		String algorithm = SecureRandomReseeder.defaultAlgorithm();
		if (SecureRandomReseeder.isDeterministic(algorithm)) {
			hazards.add(new UniquenessHazard(Severity.ERROR, null, "java.security.SecureRandom", "default algorithm",
					true, algorithm,
					"is " + algorithm + " (java.security.egd or securerandom.source names a source other than "
							+ "file:/dev/random or file:/dev/urandom): new SecureRandom() and UUID.randomUUID() take "
							+ "their seeds from a generator in the JDK's static state, which every clone copies and "
							+ "the starter cannot reach, so clones make the same keys, tokens and UUIDs",
					"remove -Djava.security.egd (or set it to file:/dev/urandom) and leave securerandom.source at "
							+ "file:/dev/random, so that the default is NativePRNG, which reads the operating system "
							+ "on every call"));
		}
		if (!this.restoresReseeded) {
			hazards.add(new UniquenessHazard(Severity.ERROR, null, "java.util.concurrent.ThreadLocalRandom", "seeder",
					true, "java.util.concurrent.atomic.AtomicLong",
					"is not reseeded on a restore (cse.clone.reseed.enabled=false), and neither are session ids "
							+ "nor SecureRandom fields of beans: every clone goes on with the template's sequences",
					"set cse.clone.reseed.enabled=true"));
		}
		else if (!ThreadLocalRandomReseeder.isAvailable()) {
			hazards.add(new UniquenessHazard(Severity.ERROR, null, "java.util.concurrent.ThreadLocalRandom", "seeder",
					true, "java.util.concurrent.atomic.AtomicLong",
					"cannot be reseeded on a restore: " + ThreadLocalRandomReseeder.unavailableReason()
							+ "; every clone goes on with the template's ThreadLocalRandom sequences on every "
							+ "thread that used it",
					"run on a JVM that lets the starter use sun.misc.Unsafe (no "
							+ "--sun-misc-unsafe-memory-access=deny), or do not use ThreadLocalRandom, nor "
							+ "libraries that do, for values that clones must not share"));
		}
		return hazards;
	}

	/** Random generators: on Java 17 and later, every {@code RandomGenerator}. */
	private static final List<Class<?>> RANDOM_TYPES = randomTypes();

	private static final List<String> SEED_NAMES = Collections.singletonList("seed");

	private static final List<String> ID_NAMES = Arrays.asList("uuid", "guid", "instanceid", "workerid", "nodeid",
			"machineid");

	private static final List<String> START_NAMES = Arrays.asList("startedat", "starttime", "startuptime", "boottime");

	private static final Set<Class<?>> NAMED_VALUE_TYPES = new HashSet<>(Arrays.asList(String.class,
			CharSequence.class, long.class, Long.class, int.class, Integer.class, Instant.class, Date.class));

	/**
	 * Inspect the fields of a bean.
	 * @param beanName the name of the bean, for the findings
	 * @param type the bean's own class (not a proxy's)
	 * @param instance the bean's target object, or {@code null} to inspect static fields only
	 * @param ignoredFields names of fields to leave alone
	 * @return the hazards found, in the order of the class hierarchy from {@code type} up
	 */
	public List<UniquenessHazard> inspect(String beanName, Class<?> type, Object instance,
			Collection<String> ignoredFields) {
		List<UniquenessHazard> hazards = new ArrayList<>();
		for (Class<?> current = type; current != null && !isJdkClass(current); current = current.getSuperclass()) {
			for (Field field : current.getDeclaredFields()) {
				boolean staticField = Modifier.isStatic(field.getModifiers());
				if (field.isSynthetic() || ignoredFields.contains(field.getName())
						|| (!staticField && instance == null)) {
					continue;
				}
				Object value = read(field, staticField ? null : instance);
				if (this.restoresReseeded && value instanceof SecureRandom) {
					// Reseeded on every restore if it is of a deterministic kind, and unique per
					// clone anyway if it reads the operating system (NativePRNG).
					continue;
				}
				Kind kind = classify(field, value);
				if (kind != null) {
					hazards.add(new UniquenessHazard(kind.severity, beanName, current.getName(), field.getName(),
							staticField, field.getGenericType().getTypeName(), kind.reason, kind.fix));
				}
			}
		}
		return hazards;
	}

	// The JDK's own classes hold nothing the application computed, and the module system
	// keeps their fields closed anyway.
	private static boolean isJdkClass(Class<?> type) {
		String name = type.getName();
		return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
				|| name.startsWith("sun.") || name.startsWith("com.sun.");
	}

	private static Object read(Field field, Object target) {
		try {
			field.setAccessible(true);
		}
		catch (RuntimeException ex) {
			// On Java 9 and later, a module that does not open the field's package
			return null;
		}
		try {
			return field.get(target);
		}
		catch (IllegalAccessException ex) {
			return null;
		}
	}

	private static Kind classify(Field field, Object value) {
		if (value == null) {
			return null;
		}
		Kind byType = classifyType(field.getType(), value);
		if (byType == null && field.getType() != value.getClass()) {
			byType = classifyType(value.getClass(), value);
		}
		if (byType != null || !NAMED_VALUE_TYPES.contains(field.getType()) || !isSet(value)) {
			return byType;
		}
		String name = field.getName().replace("_", "").toLowerCase(Locale.ROOT);
		if (containsAny(name, SEED_NAMES)) {
			return Kind.SEED;
		}
		if (containsAny(name, ID_NAMES)) {
			return Kind.ID;
		}
		if (containsAny(name, START_NAMES)) {
			return Kind.START_TIME;
		}
		return null;
	}

	private static Kind classifyType(Class<?> type, Object value) {
		if (RANDOM_TYPES.stream().anyMatch((random) -> random.isAssignableFrom(type))) {
			return Kind.RANDOM;
		}
		if (UUID.class == type) {
			return Kind.UUID;
		}
		if (isOpenSocket(value)) {
			return Kind.SOCKET;
		}
		if (value instanceof Thread && Thread.class.isAssignableFrom(type)) {
			return ((Thread) value).isAlive() ? Kind.THREAD : null;
		}
		if (value instanceof ExecutorService && ExecutorService.class.isAssignableFrom(type)) {
			return ((ExecutorService) value).isShutdown() ? null : Kind.EXECUTOR;
		}
		return null;
	}

	private static List<Class<?>> randomTypes() {
		List<Class<?>> types = new ArrayList<>(Arrays.asList(Random.class, SplittableRandom.class));
		String generator = "java.util.random.RandomGenerator";
		ClassLoader classLoader = UniquenessHazardInspector.class.getClassLoader();
		if (ClassUtils.isPresent(generator, classLoader)) {
			types.add(ClassUtils.resolveClassName(generator, classLoader));
		}
		return Collections.unmodifiableList(types);
	}

	private static boolean isOpenSocket(Object value) {
		if (value instanceof Socket) {
			return !((Socket) value).isClosed();
		}
		if (value instanceof ServerSocket) {
			return !((ServerSocket) value).isClosed();
		}
		if (value instanceof DatagramSocket) {
			return !((DatagramSocket) value).isClosed();
		}
		if (value instanceof NetworkChannel) {
			return ((NetworkChannel) value).isOpen();
		}
		return false;
	}

	private static boolean isSet(Object value) {
		if (value instanceof Number) {
			return ((Number) value).longValue() != 0;
		}
		if (value instanceof CharSequence) {
			return ((CharSequence) value).length() != 0;
		}
		return true;
	}

	private static boolean containsAny(String name, List<String> parts) {
		return parts.stream().anyMatch(name::contains);
	}

	private enum Kind {

		RANDOM(Severity.ERROR,
				"holds a random number generator seeded at start-up: every clone restored from a snapshot goes on "
						+ "with the same sequence",
				"create a new one in an @AfterRestore method when context.isClone(), or seed it from "
						+ "InstanceIdentity"),

		UUID(Severity.ERROR, "holds a UUID made at start-up: every clone restored from a snapshot has the same one",
				"derive it from InstanceIdentity.getInstanceId(), or renew it in an @AfterRestore method"),

		SEED(Severity.ERROR,
				"looks like a seed computed at start-up: every clone restored from a snapshot has the same one",
				"compute it again in an @AfterRestore method when context.isClone(), or derive it from "
						+ "InstanceIdentity"),

		SOCKET(Severity.ERROR,
				"holds an open socket: a snapshot cannot carry its connection to a clone, and clones would share it",
				"close it in a @BeforeCheckpoint method and open it again in an @AfterRestore method"),

		THREAD(Severity.ERROR,
				"holds a running thread that the starter does not pause: it keeps working while the instance is "
						+ "quiesced, and runs on in every clone",
				"run the work on a ThreadPoolTaskExecutor or ThreadPoolTaskScheduler bean, which the starter "
						+ "pauses, or stop the thread in a @BeforeCheckpoint method and start a new one in an "
						+ "@AfterRestore method"),

		EXECUTOR(Severity.WARN,
				"holds an executor that is not one of Spring's task executors: the starter does not pause it, so "
						+ "its tasks keep running while the instance is quiesced",
				"declare it as a ThreadPoolTaskExecutor bean, which the starter pauses, or let its tasks finish in "
						+ "a @BeforeCheckpoint method"),

		ID(Severity.WARN,
				"looks like an id computed at start-up: every clone restored from a snapshot has the same one",
				"derive it from InstanceIdentity.getInstanceId(), or renew it in an @AfterRestore method"),

		START_TIME(Severity.WARN, "looks like a start time: in a clone it is the template's, not the clone's",
				"use InstanceIdentity.getStartedAt(), which is the clone's own start, or renew it in an "
						+ "@AfterRestore method");

		private final Severity severity;

		private final String reason;

		private final String fix;

		Kind(Severity severity, String reason, String fix) {
			this.severity = severity;
			this.reason = reason;
			this.fix = fix;
		}

	}

}
