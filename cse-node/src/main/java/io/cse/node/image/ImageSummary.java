package io.cse.node.image;

import java.util.List;

/**
 * One image under the images root, as {@code GET /images} and {@code cse images ls} show
 * it.
 *
 * @param id the image's id: its folder's name
 * @param path its folder
 * @param kind {@code dump} or {@code template}, or {@code null} if it cannot be restored
 * @param createdAt when its dump was taken, or {@code null}
 * @param application the service's name, or {@code null}
 * @param bytes the size of every file in its folder
 * @param pools the pools whose template it is: it cannot be deleted while one is
 * @param problem why it cannot be restored (incomplete, changed, not safe), or
 * {@code null} if it can
 */
public record ImageSummary(String id, String path, String kind, String createdAt, String application, long bytes,
		List<String> pools, String problem) {

}
