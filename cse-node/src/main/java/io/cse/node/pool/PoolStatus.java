package io.cse.node.pool;

import java.util.List;

/**
 * A pool as the API shows it.
 *
 * @param name its name
 * @param template the template image's folder
 * @param size how many frozen clones it keeps
 * @param squeeze whether they are squeezed
 * @param bridge the bridge its clones hang on
 * @param ready how many frozen clones are ready to be taken now
 * @param members the ready clones, the next to be taken first
 * @param filling how many clones are being restored for it now
 */
public record PoolStatus(String name, String template, int size, boolean squeeze, String bridge, int ready,
		List<String> members, int filling) {

}
