package io.cse.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import io.cse.CheckpointParticipant;
import io.cse.linux.TcpSocket;
import io.cse.snapshot.ConnectionOwner;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Names, in a snapshot's audit, each {@link DataSource} that no participant closes (a pool
 * the starter does not know, or one whose participant is switched off) with the
 * connections it keeps open. Those connections go into the image and come back closed
 * after a restore; the note says whose they are before the errors do.
 * <p>
 * The connections are told apart by the database's port, read from the data source's
 * JDBC URL ({@code jdbcUrl}, {@code url} or {@code URL}) where it has one.
 */
public class UnmanagedDataSources implements ConnectionOwner {

	private static final Log logger = LogFactory.getLog(UnmanagedDataSources.class);

	private static final Pattern PORT = Pattern.compile("//(?:[^/?;@]*@)?(?:\\[[^\\]]*\\]|[^/:?;,]*):(\\d+)");

	private static final String[] URL_PROPERTIES = { "jdbcUrl", "url", "URL" };

	private static final String REMEDY = "close them in a " + CheckpointParticipant.class.getSimpleName()
			+ " of your own, or use a pool the starter closes (HikariCP, Druid, DBCP2, Tomcat JDBC)";

	private final ListableBeanFactory beanFactory;

	private final ObjectProvider<CheckpointParticipant> participants;

	/**
	 * Create an audit of the data sources of the given factory.
	 * @param beanFactory the factory to find data sources in
	 * @param participants the participants, of which those for connection pools say what
	 * they close
	 */
	public UnmanagedDataSources(ListableBeanFactory beanFactory, ObjectProvider<CheckpointParticipant> participants) {
		this.beanFactory = beanFactory;
		this.participants = participants;
	}

	@Override
	public List<String> describe(List<TcpSocket> connections) {
		List<DataSourceParticipant> pools = this.participants.stream()
			.filter(DataSourceParticipant.class::isInstance)
			.map(DataSourceParticipant.class::cast)
			.collect(Collectors.toList());
		// Connections are told apart by port only: data sources of one database share them
		Map<String, List<String>> byPort = new TreeMap<>();
		List<String> findings = new ArrayList<>();
		this.beanFactory.getBeansOfType(DataSource.class, false, false).forEach((name, dataSource) -> {
			if (pools.stream().anyMatch((pool) -> pool.manages(dataSource))) {
				return;
			}
			String described = "DataSource '" + name + "' (" + dataSource.getClass().getName() + ")";
			String port = port(dataSource);
			if (port != null) {
				byPort.computeIfAbsent(port, (key) -> new ArrayList<>()).add(described);
			}
			else {
				findings.add(described + " is not a pool the starter closes: any connection it keeps open is in the "
						+ "image and comes back closed after a restore; " + REMEDY);
			}
		});
		byPort.forEach((port, dataSources) -> {
			List<String> held = connections.stream()
				.filter((socket) -> socket.remote().endsWith(":" + port))
				.map((socket) -> socket.local() + " -> " + socket.remote())
				.collect(Collectors.toList());
			if (!held.isEmpty()) { // else they hold nothing between calls, or nothing now
				boolean one = dataSources.size() == 1;
				findings.add(String.join(" and ", dataSources) + (one ? " is not a pool" : " are not pools")
						+ " the starter closes: " + held.size() + " connection(s) to " + (one ? "its" : "their")
						+ " database (port " + port + ") are in the image and come back closed after a restore ("
						+ String.join(", ", held) + "); " + REMEDY);
			}
		});
		findings.forEach(logger::warn);
		return findings;
	}

	private static String port(DataSource dataSource) {
		String url = jdbcUrl(dataSource);
		Matcher port = (url != null) ? PORT.matcher(url) : null;
		return (port != null && port.find()) ? port.group(1) : null;
	}

	private static String jdbcUrl(DataSource dataSource) {
		BeanWrapper bean = new BeanWrapperImpl(dataSource);
		for (String property : URL_PROPERTIES) {
			try {
				if (bean.isReadableProperty(property)) {
					Object url = bean.getPropertyValue(property);
					if (url instanceof String) {
						return (String) url;
					}
				}
			}
			catch (RuntimeException ex) {
				// a getter that fails says nothing about the URL
			}
		}
		return null;
	}

}
