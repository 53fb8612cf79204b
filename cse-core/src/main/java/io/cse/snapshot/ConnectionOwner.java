package io.cse.snapshot;

import java.util.List;

import io.cse.linux.TcpSocket;

/**
 * Something of the application that keeps connections open through a snapshot, such as a
 * connection pool no participant closes: the {@link ProcessAudit} lets it name itself in
 * the report, next to the connections the image carries. Such connections come back
 * closed after a restore, and a report that says whose they are explains the errors their
 * owner then meets.
 */
@FunctionalInterface
public interface ConnectionOwner {

	/**
	 * Describe what this owner holds among the connections the quiesced process has open.
	 * @param connections the process's established TCP connections
	 * @return one finding per thing it keeps open, or none
	 */
	List<String> describe(List<TcpSocket> connections);

}
