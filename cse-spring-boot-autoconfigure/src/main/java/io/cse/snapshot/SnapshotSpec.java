package io.cse.snapshot;

import java.nio.file.Path;

/**
 * Where and how to take one snapshot.
 *
 * @param imageId the image's id
 * @param folder the image folder: empty, owned by this process, readable by its owner only
 * @param leaveRunning whether the process keeps running once the image is complete
 * @param manifest the manifest to write into the folder once the image is complete, and
 * only then: an image folder without its manifest is never restored
 */
public record SnapshotSpec(String imageId, Path folder, boolean leaveRunning, ImageManifest manifest) {

}
