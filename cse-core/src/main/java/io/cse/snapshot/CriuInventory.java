package io.cse.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * CRIU's {@code inventory.img}, the first file a restore reads, here for one field: the
 * network lock method of the dump ({@code network_lock_method}, field 11 of CRIU's
 * {@code inventory_entry}).
 * <p>
 * A restore takes that method from the image, not from its command line, and with
 * {@code nftables} it ends by deleting the dump's lock table. The starter's dumps release
 * that lock themselves: CRIU does at the end of a dump that leaves the process running,
 * the dump script does after one that ends it. Every restore then asked nftables to
 * delete a table that was gone, which cost 12 to 21 ms of each restore here (a quarter of
 * what CRIU takes for the rest of its work after the memory) and logged an error. The
 * sealer marks such an image {@code skip}, which is what its lock is by then.
 * <p>
 * The file is CRIU's image format: a 4-byte magic, a 4-byte length, then the protobuf
 * message. Only a top-level field is changed, in place and at the same length, so nothing
 * else in the file moves.
 */
final class CriuInventory {

	static final String FILE_NAME = "inventory.img";

	/** {@code INVENTORY_MAGIC} of CRIU's magic.h, as it is stored (little-endian). */
	private static final int MAGIC = 0x58313116;

	private static final int NETWORK_LOCK_METHOD_FIELD = 11;

	/** CRIU's {@code NETWORK_LOCK_NFTABLES}. */
	static final int NFTABLES = 1;

	/** CRIU's {@code NETWORK_LOCK_SKIP}. */
	static final int SKIP = 2;

	private static final int VARINT = 0;

	private static final int FIXED64 = 1;

	private static final int LENGTH_DELIMITED = 2;

	private static final int FIXED32 = 5;

	private CriuInventory() {
	}

	/**
	 * Record in an image that its dump's network lock is released already, so that no
	 * restore tries to release it again.
	 * @param folder the image folder
	 * @return whether the image's network lock method is {@code skip} now; {@code false}
	 * for an image without an inventory (not CRIU's) or with another method, left as it was
	 * @throws IOException if the inventory cannot be read or written, or is not CRIU's
	 */
	static boolean markNetworkUnlocked(Path folder) throws IOException {
		Path file = folder.resolve(FILE_NAME);
		if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
			return false;
		}
		byte[] bytes = Files.readAllBytes(file);
		int at = networkLockMethodAt(bytes, file);
		if (at < 0 || bytes[at] != NFTABLES) {
			return at >= 0 && bytes[at] == SKIP;
		}
		bytes[at] = SKIP;
		Files.write(file, bytes);
		return true;
	}

	/**
	 * Find the one-byte value of the top-level network lock method field (a method
	 * number below 128 is one byte).
	 * @return its offset, or -1 if the message has no such field of one byte
	 */
	private static int networkLockMethodAt(byte[] bytes, Path file) throws IOException {
		ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		if (bytes.length < 8 || buffer.getInt(0) != MAGIC) {
			throw new IOException(file + " is not a CRIU inventory (no inventory magic)");
		}
		long length = buffer.getInt(4) & 0xffffffffL;
		if (8 + length > bytes.length) {
			throw new IOException(file + " is cut short: its message is " + length + " bytes, the file "
					+ (bytes.length - 8));
		}
		Reader message = new Reader(bytes, 8, (int) (8 + length), file);
		while (message.hasMore()) {
			long tag = message.varint();
			int field = (int) (tag >>> 3);
			int wireType = (int) (tag & 7);
			int valueAt = message.at;
			switch (wireType) {
				case VARINT:
					message.varint();
					if (field == NETWORK_LOCK_METHOD_FIELD) {
						return (message.at - valueAt == 1) ? valueAt : -1;
					}
					break;
				case FIXED64:
					message.skip(8);
					break;
				case LENGTH_DELIMITED:
					message.skip(message.varint());
					break;
				case FIXED32:
					message.skip(4);
					break;
				default:
					throw new IOException(file + " holds a protobuf field of wire type " + wireType
							+ " at byte " + valueAt + ", which CRIU does not write");
			}
		}
		return -1;
	}

	private static final class Reader {

		private final byte[] bytes;

		private final int end;

		private final Path file;

		private int at;

		Reader(byte[] bytes, int start, int end, Path file) {
			this.bytes = bytes;
			this.at = start;
			this.end = end;
			this.file = file;
		}

		boolean hasMore() {
			return this.at < this.end;
		}

		long varint() throws IOException {
			long value = 0;
			for (int shift = 0; shift < 64; shift += 7) {
				if (this.at >= this.end) {
					throw cutShort();
				}
				byte b = this.bytes[this.at++];
				value |= (long) (b & 0x7f) << shift;
				if ((b & 0x80) == 0) {
					return value;
				}
			}
			throw new IOException(this.file + " holds a varint longer than 10 bytes at byte " + this.at);
		}

		void skip(long count) throws IOException {
			if (count < 0 || count > this.end - this.at) {
				throw cutShort();
			}
			this.at += (int) count;
		}

		private IOException cutShort() {
			return new IOException(this.file + " is cut short inside its message, at byte " + this.at);
		}

	}

}
