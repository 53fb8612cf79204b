package io.cse.jdbc;

/**
 * A participant that lets go of the connections of some kind of pool, so that
 * {@link UnmanagedDataSources} can tell which data sources none of them handles.
 */
interface DataSourceParticipant {

	/**
	 * Return whether this participant closes the connections of a data source.
	 * @param dataSource a data source bean
	 * @return whether it is, or wraps, a pool of the kind this participant handles
	 */
	boolean manages(Object dataSource);

}
