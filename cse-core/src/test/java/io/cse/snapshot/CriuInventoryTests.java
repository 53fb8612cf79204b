package io.cse.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Tests for {@link CriuInventory}, on inventories laid out as CRIU 4.2 writes them.
 */
class CriuInventoryTests {

	private static final int IPTABLES = 0;

	@TempDir
	Path folder;

	private Path inventory;

	@BeforeEach
	void paths() {
		this.inventory = this.folder.resolve(CriuInventory.FILE_NAME);
	}

	@Test
	void anImageDumpedWithTheNftablesLockIsMarkedSkipAndNothingElseChanges() throws IOException {
		byte[] written = inventory(CriuInventory.NFTABLES);
		Files.write(this.inventory, written);

		assertThat(CriuInventory.markNetworkUnlocked(this.folder)).isTrue();

		byte[] marked = Files.readAllBytes(this.inventory);
		assertThat(marked).hasSameSizeAs(written);
		int changed = firstDifference(written, marked);
		assertThat(written[changed - 1]).as("the tag of field 11, at the top level").isEqualTo((byte) 0x58);
		assertThat(marked[changed]).isEqualTo((byte) CriuInventory.SKIP);
		assertThat(Arrays.copyOfRange(marked, changed + 1, marked.length))
			.isEqualTo(Arrays.copyOfRange(written, changed + 1, written.length));
		assertThat(new String(marked, StandardCharsets.US_ASCII)).contains(RUN_ID);
		// The nested root_ids message also has a field 11, which is not the lock's
		assertThat(Arrays.copyOfRange(marked, 0, changed - 1)).isEqualTo(Arrays.copyOfRange(written, 0, changed - 1));

		assertThat(CriuInventory.markNetworkUnlocked(this.folder)).as("marked already").isTrue();
		assertThat(Files.readAllBytes(this.inventory)).isEqualTo(marked);
	}

	@Test
	void anotherLockMethodIsLeftAsItWas() throws IOException {
		byte[] written = inventory(IPTABLES);
		Files.write(this.inventory, written);
		assertThat(CriuInventory.markNetworkUnlocked(this.folder)).isFalse();
		assertThat(Files.readAllBytes(this.inventory)).isEqualTo(written);
	}

	@Test
	void anImageWithoutAnInventoryIsNotCriusAndIsLeftAlone() throws IOException {
		assertThat(CriuInventory.markNetworkUnlocked(this.folder)).isFalse();
		assertThat(this.inventory).doesNotExist();
	}

	@Test
	void aFileThatIsNotCriusInventoryIsRefusedNamingIt() throws IOException {
		Files.write(this.inventory, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
		assertThatIOException().isThrownBy(() -> CriuInventory.markNetworkUnlocked(this.folder))
			.withMessageContaining(this.inventory.toString())
			.withMessageContaining("not a CRIU inventory");
	}

	@Test
	void aCutInventoryIsRefusedAndLeftAsItWas() throws IOException {
		byte[] whole = inventory(CriuInventory.NFTABLES);
		byte[] cut = Arrays.copyOf(whole, whole.length - 20);
		Files.write(this.inventory, cut);
		assertThatIOException().isThrownBy(() -> CriuInventory.markNetworkUnlocked(this.folder))
			.withMessageContaining("cut short");
		assertThat(Files.readAllBytes(this.inventory)).isEqualTo(cut);
	}

	@Test
	void theSealerMarksTheImageBeforeItHashesItsFiles() throws IOException {
		Files.write(this.inventory, inventory(CriuInventory.NFTABLES));
		pendingManifest();

		ImageSealer.main(new String[] { this.folder.toString(), ImageSealer.NETWORK_UNLOCKED });

		ImageManifest sealed = ImageManifest.read(this.folder);
		assertThat(sealed.files().get(CriuInventory.FILE_NAME)).isEqualTo(ImageFile.of(this.inventory));
		// The lock's field (tag 0x58) says skip (2), before the plugins' (tag 0x62, 'b')
		assertThat(new String(Files.readAllBytes(this.inventory), StandardCharsets.ISO_8859_1)).contains("\u0058\u0002b");
	}

	@Test
	void theSealerSealsAnImageWhoseInventoryItCannotReadAsItIs() throws IOException {
		byte[] notCrius = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
		Files.write(this.inventory, notCrius);
		pendingManifest();

		ImageSealer.main(new String[] { this.folder.toString(), ImageSealer.NETWORK_UNLOCKED });

		assertThat(ImageManifest.read(this.folder).files()).containsKey(CriuInventory.FILE_NAME);
		assertThat(Files.readAllBytes(this.inventory)).isEqualTo(notCrius);
	}

	private void pendingManifest() throws IOException {
		ImageManifest.builder()
			.imageId("img-1")
			.kind(ImageManifest.Kind.DUMP)
			.engine("criu", "4.2.1")
			.createdAt(Instant.parse("2026-12-03T01:00:00Z"))
			.application(new ImageManifest.Application("hello-web", 8080, "/"))
			.process(4242, 1000)
			.java(System.getProperty("java.version"), System.getProperty("java.home"))
			.host("this-boot", System.getProperty("os.version"))
			.identity(new ImageIdentity("original", 0))
			.build()
			.writePending(this.folder);
	}

	private static final String RUN_ID = "b5a2b26b-3352-4ca2-86a8-4f316d95a750";

	/**
	 * An inventory as CRIU 4.2 writes it: img_version, fdinfo_per_id, root_ids (a nested
	 * message whose fields run from 1 to 12), ns_per_id, root_cg_set, lsmtype,
	 * network_lock_method, an empty plugins_entry and dump_criu_run_id.
	 */
	private static byte[] inventory(int networkLockMethod) {
		ByteArrayOutputStream message = new ByteArrayOutputStream();
		write(message, 0x08, 0x02, 0x10, 0x01, 0x1a, 0x18);
		for (int field = 1; field <= 12; field++) {
			write(message, field << 3, field);
		}
		write(message, 0x20, 0x01, 0x28, 0x01, 0x30, 0x00, 0x58, networkLockMethod, 0x62, 0x00, 0x6a, RUN_ID.length());
		message.write(RUN_ID.getBytes(StandardCharsets.US_ASCII), 0, RUN_ID.length());
		byte[] body = message.toByteArray();
		return ByteBuffer.allocate(8 + body.length)
			.order(ByteOrder.LITTLE_ENDIAN)
			.putInt(0x58313116)
			.putInt(body.length)
			.put(body)
			.array();
	}

	private static void write(ByteArrayOutputStream out, int... bytes) {
		for (int b : bytes) {
			out.write(b);
		}
	}

	private static int firstDifference(byte[] a, byte[] b) {
		for (int i = 0; i < a.length; i++) {
			if (a[i] != b[i]) {
				return i;
			}
		}
		throw new AssertionError("nothing changed");
	}

}
