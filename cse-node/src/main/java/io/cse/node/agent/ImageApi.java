package io.cse.node.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cse.CallerText;
import io.cse.node.CseException;
import io.cse.node.image.Image;
import io.cse.node.image.ImageSummary;
import io.cse.node.pool.PoolStatus;
import io.cse.node.pool.Pools;
import io.cse.snapshot.ImageManifest;

/**
 * The API's routes for the images under the agent's images root: {@code GET /images}
 * lists them, {@code GET /images/{id}} shows one with its manifest, and
 * {@code DELETE /images/{id}} deletes one that no pool uses.
 */
final class ImageApi {

	/** An image's id, as the starter names image folders. */
	private static final Pattern IMAGE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

	private static final ObjectMapper JSON = new ObjectMapper();

	private final Path imagesRoot;

	private final Pools pools;

	private final InstanceLocks locks;

	ImageApi(Path imagesRoot, Pools pools, InstanceLocks locks) {
		this.imagesRoot = imagesRoot.toAbsolutePath().normalize();
		this.pools = pools;
		this.locks = locks;
	}

	void addTo(Routes routes) {
		routes.add("GET", "/images", null, (request, variables) -> ApiResponse.json(200, list()))
			.add("GET", "/images/{id}", null, (request, variables) -> inspect(folder(variables.get("id"))))
			.add("DELETE", "/images/{id}", "image-delete", (request, variables) -> delete(variables.get("id")));
	}

	private List<ImageSummary> list() {
		List<ImageSummary> images = new ArrayList<>();
		if (!Files.isDirectory(this.imagesRoot)) {
			return images;
		}
		try (DirectoryStream<Path> folders = Files.newDirectoryStream(this.imagesRoot,
				(path) -> Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))) {
			for (Path folder : folders) {
				ImageSummary summary = summary(folder, false);
				if (summary != null) {
					images.add(summary);
				}
			}
		}
		catch (IOException ex) {
			throw new CseException("cannot list the images in " + this.imagesRoot + ": " + ex.getMessage(), ex);
		}
		images.sort(Comparator.comparing(ImageSummary::id));
		return images;
	}

	/**
	 * The summary of an image folder, or {@code null} for a folder that is no image. A
	 * listing reads manifests only; {@code verify} checks every file against its digest,
	 * as a restore would.
	 */
	private ImageSummary summary(Path folder, boolean verify) {
		String id = folder.getFileName().toString();
		boolean hasManifest = Files.isRegularFile(folder.resolve(Image.MANIFEST));
		if (!hasManifest && !Files.exists(folder.resolve("inventory.img"))
				&& !Files.exists(folder.resolve(ImageManifest.PENDING_FILE_NAME))) {
			return null;
		}
		List<String> pools = poolsOf(folder);
		long bytes = bytes(folder);
		try {
			ImageManifest manifest = verify ? Image.open(folder).manifest() : read(folder, id);
			return new ImageSummary(id, folder.toString(), manifest.kind().name().toLowerCase(Locale.ROOT),
					(manifest.createdAt() != null) ? manifest.createdAt().toString() : null,
					manifest.application().name(), bytes, pools, null);
		}
		catch (CseException ex) {
			return new ImageSummary(id, folder.toString(), null, null, null, bytes, pools, ex.getMessage());
		}
	}

	private static ImageManifest read(Path folder, String id) {
		if (!Files.isRegularFile(folder.resolve(Image.MANIFEST))) {
			throw new CseException("image " + id + " is incomplete (no " + Image.MANIFEST
					+ "): its dump did not finish; delete it ('cse images rm " + id + "')");
		}
		try {
			return ImageManifest.read(folder);
		}
		catch (IOException | RuntimeException ex) {
			throw new CseException("image " + id + " has an unreadable manifest: " + ex.getMessage());
		}
	}

	private ApiResponse inspect(Path folder) {
		ImageSummary summary = summary(folder, true);
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("image", summary);
		try {
			Path manifest = folder.resolve(Image.MANIFEST);
			answer.put("manifest", Files.isRegularFile(manifest) ? JSON.readTree(manifest.toFile()) : null);
		}
		catch (IOException ex) {
			answer.put("manifest", null);
		}
		return ApiResponse.json(200, answer);
	}

	private ApiResponse delete(String id) {
		Path folder = folder(id);
		try (InstanceLocks.Held held = this.locks.acquire("image " + id, "delete")) {
			List<String> pools = poolsOf(folder);
			if (!pools.isEmpty()) {
				throw ApiException.conflict("Image " + id + " is the template of pool" + ((pools.size() > 1) ? "s " : " ")
						+ String.join(", ", pools) + ", which restore" + ((pools.size() > 1) ? "" : "s")
						+ " from it: delete the pool first ('cse pool rm " + pools.get(0) + "')");
			}
			long bytes = bytes(folder);
			deleteTree(folder);
			Map<String, Object> answer = new LinkedHashMap<>();
			answer.put("image", id);
			answer.put("path", folder.toString());
			answer.put("bytes", bytes);
			return ApiResponse.json(200, answer);
		}
	}

	/**
	 * The folder of the image an id names: one folder right under the images root, never a
	 * link, and one a dump wrote in.
	 */
	private Path folder(String id) {
		if (id == null || !IMAGE_ID.matcher(id).matches()) {
			throw ApiException.badRequest("'" + CallerText.echoed(id) + "' is not an image id: use the name of a folder "
					+ "under " + this.imagesRoot + " (letters, digits, '.', '_' and '-'; see GET /images)");
		}
		Path folder = this.imagesRoot.resolve(id).normalize();
		if (!folder.getParent().equals(this.imagesRoot) || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)
				|| summary(folder, false) == null) {
			throw ApiException.notFound("no image " + id + " under " + this.imagesRoot + " (see 'cse images ls', or "
					+ "GET /images)");
		}
		return folder;
	}

	private List<String> poolsOf(Path folder) {
		return this.pools.list()
			.stream()
			.filter((pool) -> folder.equals(Path.of(pool.template()).toAbsolutePath().normalize()))
			.map(PoolStatus::name)
			.sorted()
			.collect(Collectors.toList());
	}

	private static long bytes(Path folder) {
		try (Stream<Path> files = Files.walk(folder)) {
			return files.filter((file) -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
				.mapToLong((file) -> file.toFile().length())
				.sum();
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	private static void deleteTree(Path folder) {
		// Deepest first; a link inside is deleted as a link, never followed
		try (Stream<Path> paths = Files.walk(folder)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
				Files.delete(path);
			}
		}
		catch (IOException ex) {
			throw new CseException(String.format(Locale.ROOT, "cannot delete image %s: %s (what is left of it is "
					+ "still in %s)", folder.getFileName(), ex.getMessage(), folder), ex);
		}
	}

}
