package io.cse.node.linux;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.cse.node.CseException;

/**
 * Compressed swap in RAM on the {@code zram0} device: where a squeezed, frozen service's
 * memory goes.
 */
public final class Zram {

	/**
	 * The size given to the device when the agent sets it up (the most it holds
	 * uncompressed).
	 */
	public static final String DEFAULT_DISK_SIZE = "2G";

	/**
	 * The compression the agent chooses when it sets the device up, if the kernel has it.
	 */
	public static final String FAST_ALGORITHM = "lz4";

	private final Host host;

	private final Path device;

	private final Path sysfs;

	public Zram(Host host) {
		this(host, Path.of("/dev/zram0"), Path.of("/sys/block/zram0"));
	}

	Zram(Host host, Path device, Path sysfs) {
		this.host = host;
		this.device = device;
		this.sysfs = sysfs;
	}

	public Path device() {
		return this.device;
	}

	/**
	 * Whether the host has the device.
	 * @return whether it has
	 */
	public boolean present() {
		return this.host.exists(this.device) && this.host.exists(this.sysfs.resolve("disksize"));
	}

	/**
	 * The active swap areas ({@code /proc/swaps}).
	 * @return their devices or files
	 */
	public List<String> activeSwaps() {
		return this.host.readFile(Path.of("/proc/swaps"))
			.map((text) -> text.lines().skip(1).map(String::strip).filter((line) -> !line.isEmpty())
				.map((line) -> line.split("\\s+")[0]).toList())
			.orElse(List.of());
	}

	/**
	 * Make sure some swap is active: if none is and the host has the device, turn the
	 * device into swap ({@code disksize} if it has none, {@code mkswap}, {@code swapon}).
	 * @return whether this call set the device up (and so its caller should take it down
	 * once nothing needs it)
	 * @throws CseException if no swap is active and the device cannot be set up
	 */
	public boolean ensureSwap() {
		if (!activeSwaps().isEmpty()) {
			return false;
		}
		if (!present()) {
			throw CseException.prerequisiteMissing("--squeeze needs swap to push the frozen service's memory to, and this host has "
					+ "neither active swap nor a " + this.device + " device: load the zram module ('modprobe zram') "
					+ "or turn some swap on ('swapon')");
		}
		String size = this.host.readFile(this.sysfs.resolve("disksize")).map(String::strip).orElse("0");
		if ("0".equals(size)) {
			// The algorithm can only be chosen before the size. A thaw after a squeeze spends
			// its time taking pages back out of zram: lz4 gives them back faster than the
			// kernel's default lzo-rle (about 4 ms of a 60 ms thaw here, and a steadier p99),
			// for a couple of percent more compressed memory.
			Path algorithm = this.sysfs.resolve("comp_algorithm");
			if (this.host.readFile(algorithm).filter((available) -> offers(available, FAST_ALGORITHM)).isPresent()) {
				this.host.writeFile(algorithm, FAST_ALGORITHM);
			}
			this.host.writeFile(this.sysfs.resolve("disksize"), DEFAULT_DISK_SIZE);
		}
		try {
			this.host.run(List.of("mkswap", this.device.toString())).orThrow("format " + this.device + " as swap");
			this.host.run(List.of("swapon", this.device.toString())).orThrow("turn swap on on " + this.device);
		}
		catch (RuntimeException ex) {
			reset();
			throw ex;
		}
		return true;
	}

	/**
	 * Turn the device's swap off and give its memory back ({@code swapoff}, {@code reset}).
	 * @throws CseException if swap cannot be turned off (for example because the pages in it
	 * do not fit in RAM)
	 */
	public void tearDown() {
		if (activeSwaps().contains(this.device.toString())) {
			this.host.run(List.of("swapoff", this.device.toString())).orThrow("turn swap off on " + this.device);
		}
		reset();
	}

	private static boolean offers(String algorithms, String name) {
		// "[lzo-rle] lzo lz4": the one in brackets is the current one
		return Arrays.stream(algorithms.strip().split("\\s+"))
			.map((algorithm) -> algorithm.replace("[", "").replace("]", ""))
			.anyMatch(name::equals);
	}

	private void reset() {
		this.host.writeFile(this.sysfs.resolve("reset"), "1");
	}

	/**
	 * What the device holds ({@code mm_stat}).
	 * @return its figures, or empty if it has none
	 */
	public Optional<Usage> usage() {
		return this.host.readFile(this.sysfs.resolve("mm_stat")).map(String::strip).filter((text) -> !text.isEmpty())
			.map((text) -> {
				String[] fields = text.split("\\s+");
				return new Usage(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2]));
			});
	}

	/**
	 * What a zram device holds.
	 *
	 * @param originalBytes the data stored, uncompressed
	 * @param compressedBytes the same, compressed
	 * @param usedBytes the memory the device uses for it, overhead included
	 */
	public record Usage(long originalBytes, long compressedBytes, long usedBytes) {
	}

}
