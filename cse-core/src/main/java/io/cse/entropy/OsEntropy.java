package io.cse.entropy;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.UUID;

/**
 * Random bytes read from the operating system ({@code /dev/urandom}) at the moment they are
 * asked for.
 * <p>
 * A generator in the JVM's memory, even a {@code SecureRandom}, is copied into every clone
 * restored from a snapshot, and so is whatever it buffered; the kernel's pool is not. This
 * is the one source of what a clone must not share with its siblings: fresh seeds and its
 * instance id. Each call opens the device anew, so no file descriptor of it is held across
 * a snapshot (CRIU would have to restore it).
 */
public final class OsEntropy {

	private static final File DEVICE = new File("/dev/urandom");

	private OsEntropy() {
	}

	/**
	 * Read fresh random bytes from the operating system.
	 * @param length how many bytes
	 * @return the bytes
	 * @throws IllegalStateException if {@code /dev/urandom} cannot be read
	 */
	public static byte[] bytes(int length) {
		byte[] bytes = new byte[length];
		InputStream in = null;
		try {
			in = new FileInputStream(DEVICE);
			int read = 0;
			while (read < length) {
				int count = in.read(bytes, read, length - read);
				if (count < 0) {
					throw new IOException("end of file after " + read + " bytes");
				}
				read += count;
			}
			return bytes;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read " + DEVICE + " (" + ex.getMessage()
					+ "): clones need the operating system's entropy to tell themselves apart; run on Linux with "
					+ DEVICE + " readable", ex);
		}
		finally {
			closeQuietly(in);
		}
	}

	/**
	 * Read a fresh random {@code long} from the operating system.
	 * @return the number
	 */
	public static long nextLong() {
		byte[] bytes = bytes(8);
		long value = 0;
		for (int i = 0; i < 8; i++) {
			value = (value << 8) | (bytes[i] & 0xff);
		}
		return value;
	}

	/**
	 * Make a random (version 4) UUID from the operating system's entropy, as
	 * {@link UUID#randomUUID()} does from a generator in memory.
	 * @return the UUID
	 */
	public static UUID randomUuid() {
		byte[] bytes = bytes(16);
		bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
		bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
		long most = 0;
		long least = 0;
		for (int i = 0; i < 8; i++) {
			most = (most << 8) | (bytes[i] & 0xff);
			least = (least << 8) | (bytes[i + 8] & 0xff);
		}
		return new UUID(most, least);
	}

	private static void closeQuietly(InputStream in) {
		if (in == null) {
			return;
		}
		try {
			in.close();
		}
		catch (IOException ex) {
			// Only read from: nothing was lost, and the bytes are already in hand.
		}
	}

}
