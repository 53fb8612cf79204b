package io.cse.entropy;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives {@link ThreadLocalRandom} new seeds from the operating system's entropy: its static
 * {@code seeder}, from which every thread that uses it for the first time takes its seed,
 * and the seeds of every live thread that has used it.
 * <p>
 * Those seeds live in fields of {@code java.lang.Thread} and {@code ThreadLocalRandom},
 * inside {@code java.base}, which is not open to applications. This is the one class of
 * the starter that reaches them, through {@code sun.misc.Unsafe} (module
 * {@code jdk.unsupported}), reflectively so that nothing else depends on it. From JDK 24 on,
 * the JVM prints a deprecation warning on the first use of Unsafe's memory access methods
 * (JEP 471 and 498); it comes once, when this class is first used (at start-up, by the
 * hazard check). Where Unsafe is missing or refuses, {@link #isAvailable()} says so and
 * why, and {@link #reseed()} reseeds nothing: a restore never fails because of it.
 * <p>
 * Virtual threads are not reached: the JDK lists only platform threads.
 */
public final class ThreadLocalRandomReseeder implements Reseeder {

	private static final Access access = Access.open();

	@Override
	public String getName() {
		return "thread-local-random";
	}

	/**
	 * Return whether the seeds can be reached on this JVM.
	 * @return whether {@link #reseed()} reseeds anything
	 */
	public static boolean isAvailable() {
		return access.failure == null;
	}

	/**
	 * Return why the seeds cannot be reached.
	 * @return the reason, or {@code null} if they can
	 */
	public static String unavailableReason() {
		return access.failure;
	}

	/**
	 * Give {@code ThreadLocalRandom}'s seeder and the seeds of every live platform thread
	 * that has used it new values from the operating system.
	 * @return how many seeds were renewed (the seeder and one per thread), {@code 0} if the
	 * seeds cannot be reached
	 */
	@Override
	public int reseed() {
		if (!isAvailable()) {
			return 0;
		}
		Thread[] threads = liveThreads();
		byte[] entropy = OsEntropy.bytes(8 + threads.length * 12);
		access.seeder.set(longAt(entropy, 0));
		int renewed = 1;
		for (int i = 0; i < threads.length; i++) {
			Thread thread = threads[i];
			if (thread == null || access.getInt(thread, access.probe) == 0) {
				// Never used ThreadLocalRandom: it takes a seed from the seeder on first use.
				continue;
			}
			int offset = 8 + i * 12;
			access.putLong(thread, access.seed, longAt(entropy, offset));
			int secondary = (int) (longAt(entropy, offset + 4) >>> 32);
			// Zero means "not initialised" to the JDK, which would then draw it from the seeder.
			access.putInt(thread, access.secondarySeed, (secondary != 0) ? secondary : 1);
			renewed++;
		}
		return renewed;
	}

	/**
	 * Return the seed of {@code ThreadLocalRandom} in the given thread, for tests.
	 */
	static long seedOf(Thread thread) {
		return access.getLong(thread, access.seed);
	}

	/**
	 * Set the seed of {@code ThreadLocalRandom} in the given thread, for tests that play a
	 * copy of it.
	 */
	static void setSeedOf(Thread thread, long seed) {
		access.putLong(thread, access.seed, seed);
	}

	/**
	 * Return the secondary seed of the given thread, for tests.
	 */
	static int secondarySeedOf(Thread thread) {
		return access.getInt(thread, access.secondarySeed);
	}

	/**
	 * Return the seeder's value, for tests.
	 */
	static long seederValue() {
		return access.seeder.get();
	}

	private static Thread[] liveThreads() {
		ThreadGroup root = Thread.currentThread().getThreadGroup();
		while (root.getParent() != null) {
			root = root.getParent();
		}
		Thread[] threads = new Thread[root.activeCount() + 16];
		int count;
		while ((count = root.enumerate(threads, true)) == threads.length) {
			threads = new Thread[threads.length * 2];
		}
		Thread[] live = new Thread[count];
		System.arraycopy(threads, 0, live, 0, count);
		return live;
	}

	private static long longAt(byte[] bytes, int offset) {
		long value = 0;
		for (int i = 0; i < 8; i++) {
			value = (value << 8) | (bytes[offset + i] & 0xff);
		}
		return value;
	}

	/**
	 * The Unsafe methods and field offsets, or why they cannot be had.
	 */
	private static final class Access {

		private final String failure;

		private Object unsafe;

		// Method handles rather than reflective calls: JDK 17 turns a reflective method that
		// has been called 15 times into generated code, which a restore would pay for.
		private MethodHandle getInt;

		private MethodHandle getLong;

		private MethodHandle putInt;

		private MethodHandle putLong;

		private long seed;

		private long secondarySeed;

		private long probe;

		private AtomicLong seeder;

		private Access(String failure) {
			this.failure = failure;
		}

		static Access open() {
			Access access = new Access(null);
			try {
				Class<?> type = Class.forName("sun.misc.Unsafe");
				Field theUnsafe = type.getDeclaredField("theUnsafe");
				theUnsafe.setAccessible(true);
				access.unsafe = theUnsafe.get(null);
				Method objectFieldOffset = type.getMethod("objectFieldOffset", Field.class);
				access.seed = offset(access, objectFieldOffset, Thread.class, "threadLocalRandomSeed");
				access.secondarySeed = offset(access, objectFieldOffset, Thread.class, "threadLocalRandomSecondarySeed");
				access.probe = offset(access, objectFieldOffset, Thread.class, "threadLocalRandomProbe");
				MethodHandles.Lookup lookup = MethodHandles.lookup();
				access.getInt = lookup.unreflect(type.getMethod("getIntVolatile", Object.class, long.class))
					.bindTo(access.unsafe);
				access.getLong = lookup.unreflect(type.getMethod("getLongVolatile", Object.class, long.class))
					.bindTo(access.unsafe);
				access.putInt = lookup
					.unreflect(type.getMethod("putIntVolatile", Object.class, long.class, int.class))
					.bindTo(access.unsafe);
				access.putLong = lookup
					.unreflect(type.getMethod("putLongVolatile", Object.class, long.class, long.class))
					.bindTo(access.unsafe);
				// Its static fields are set once the class is initialised, which reading them
				// through Unsafe does not do.
				Class.forName(ThreadLocalRandom.class.getName(), true, ThreadLocalRandom.class.getClassLoader());
				Field seederField = ThreadLocalRandom.class.getDeclaredField("seeder");
				Object base = type.getMethod("staticFieldBase", Field.class).invoke(access.unsafe, seederField);
				long seederOffset = (Long) type.getMethod("staticFieldOffset", Field.class)
					.invoke(access.unsafe, seederField);
				access.seeder = (AtomicLong) type.getMethod("getObjectVolatile", Object.class, long.class)
					.invoke(access.unsafe, base, seederOffset);
				if (access.seeder == null) {
					return new Access("ThreadLocalRandom's seeder was not found where sun.misc.Unsafe looked for it");
				}
				// Every method once, on this thread's own seeds, written back unchanged: this
				// proves that the offsets work, and it is when the JDK makes each method handle
				// ready (milliseconds). Done here, at start-up, it is in the image, and restores
				// do not pay for it.
				Thread current = Thread.currentThread();
				access.getInt(current, access.probe);
				access.putLong(current, access.seed, access.getLong(current, access.seed));
				access.putInt(current, access.secondarySeed, access.getInt(current, access.secondarySeed));
				return access;
			}
			catch (Throwable ex) {
				Throwable cause = (ex instanceof InvocationTargetException) ? ex.getCause() : ex;
				return new Access("sun.misc.Unsafe cannot reach ThreadLocalRandom's seeds on this JVM ("
						+ cause.getClass().getName() + ": " + cause.getMessage() + ")");
			}
		}

		private static long offset(Access access, Method objectFieldOffset, Class<?> owner, String name)
				throws ReflectiveOperationException {
			return (Long) objectFieldOffset.invoke(access.unsafe, owner.getDeclaredField(name));
		}

		int getInt(Object target, long offset) {
			try {
				return (int) this.getInt.invokeExact(target, offset);
			}
			catch (Throwable ex) {
				throw failed("getIntVolatile", ex);
			}
		}

		long getLong(Object target, long offset) {
			try {
				return (long) this.getLong.invokeExact(target, offset);
			}
			catch (Throwable ex) {
				throw failed("getLongVolatile", ex);
			}
		}

		void putInt(Object target, long offset, int value) {
			try {
				this.putInt.invokeExact(target, offset, value);
			}
			catch (Throwable ex) {
				throw failed("putIntVolatile", ex);
			}
		}

		void putLong(Object target, long offset, long value) {
			try {
				this.putLong.invokeExact(target, offset, value);
			}
			catch (Throwable ex) {
				throw failed("putLongVolatile", ex);
			}
		}

		private static IllegalStateException failed(String method, Throwable ex) {
			if (ex instanceof Error) {
				throw (Error) ex;
			}
			return new IllegalStateException("sun.misc.Unsafe." + method + " failed: " + ex, ex);
		}

	}

}
