package io.cse.logging;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.CheckpointParticipant;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Closes the files of Logback's file appenders (rolling or not) before a snapshot and
 * opens them again, at the path the application configured, once the instance is back:
 * after a rolled-back snapshot, in the restored instance and in every clone.
 * <p>
 * An image that holds a log file open restores only if the file is still where it was:
 * CRIU fails a restore whose file was deleted or rotated away by then, and, for a file not
 * opened for appending ({@code <append>false</append>}), one whose size changed since the
 * dump, which a log file's always does. An image with no log file open restores whatever
 * happened to the file; the restored instance then appends to the file that is there.
 * <p>
 * While the files are closed, from the moment the last participant has quiesced until the
 * first resumes, what the appenders write is kept in memory and appended to the file when
 * it is opened again: the snapshot's own messages are not lost. A freeze changes nothing
 * (the process keeps its files), and appenders in prudent mode, which open and lock their
 * file for every event, are left alone.
 * <p>
 * Clones of one template all open the same configured file, as several instances of a
 * service started with one configuration would: they append to it side by side, each
 * starting with a line that names it. What the template logged while its files were
 * closed is written once, by the template; a restored dump writes it itself, as its
 * original stopped at the dump.
 */
public class LogbackFileAppenderParticipant implements CheckpointParticipant {

	private static final Log logger = LogFactory.getLog(LogbackFileAppenderParticipant.class);

	private final Map<FileAppender<?>, ByteArrayOutputStream> closed = new LinkedHashMap<>();

	@Override
	public String getName() {
		return "log-files";
	}

	/**
	 * Return the order that puts this participant last: the messages of every other
	 * participant's quiesce reach the file, and the file is open again before any other
	 * resumes.
	 * @return {@link Integer#MAX_VALUE}
	 */
	@Override
	public int getOrder() {
		return Integer.MAX_VALUE;
	}

	@Override
	public void quiesce(CheckpointContext context) {
		if (context.operation() == Operation.FREEZE) {
			return;
		}
		for (FileAppender<?> appender : fileAppenders()) {
			if (!appender.isStarted() || appender.isPrudent()) {
				continue;
			}
			ByteArrayOutputStream held = new ByteArrayOutputStream();
			// Closes the file, under the appender's own lock, and keeps what comes next
			appender.setOutputStream(held);
			this.closed.put(appender, held);
		}
	}

	@Override
	public void resume(CheckpointContext context) throws IOException {
		List<String> failures = new ArrayList<>();
		List<String> reopened = new ArrayList<>();
		for (Map.Entry<FileAppender<?>, ByteArrayOutputStream> entry : this.closed.entrySet()) {
			FileAppender<?> appender = entry.getKey();
			String file = activeFile(appender);
			try {
				appender.openFile(file);
				if (!context.isClone()) {
					// What was logged while the file was closed; the appender writes to the file
					// again from here on, and in the meantime nothing else runs that logs much
					appendTo(file, entry.getValue());
				}
				reopened.add(file);
			}
			catch (IOException ex) {
				failures.add("'" + appender.getName() + "' (" + file + "): " + ex.getMessage());
			}
		}
		this.closed.clear();
		if (!reopened.isEmpty() && context.resumption() != Resumption.ROLLBACK
				&& context.resumption() != Resumption.THAW) {
			// Marks where this instance starts in a file that clones of one template share
			logger.info("Log file(s) " + reopened + " opened again in " + (context.isClone() ? "clone" : "restored instance")
					+ " " + context.identity().getInstanceId());
		}
		if (!failures.isEmpty()) {
			throw new IOException("Cannot open the log file of appender(s) " + String.join(", ", failures)
					+ ": check that the folder exists and is writable in this instance");
		}
	}

	private static void appendTo(String file, ByteArrayOutputStream held) throws IOException {
		if (held.size() == 0) {
			return;
		}
		try (OutputStream out = new FileOutputStream(file, true)) {
			held.writeTo(out);
		}
	}

	/**
	 * Return the file a rolling appender writes now: its rolling policy's, which may differ
	 * from the configured {@code file} when there is none.
	 */
	private static String activeFile(FileAppender<?> appender) {
		if (appender instanceof RollingFileAppender && ((RollingFileAppender<?>) appender).getRollingPolicy() != null) {
			return ((RollingFileAppender<?>) appender).getRollingPolicy().getActiveFileName();
		}
		return appender.getFile();
	}

	/**
	 * Return every file appender attached to a logger, also those behind an
	 * {@code AsyncAppender}.
	 */
	private static Set<FileAppender<?>> fileAppenders() {
		Set<FileAppender<?>> found = Collections.newSetFromMap(new IdentityHashMap<>());
		ILoggerFactory factory = LoggerFactory.getILoggerFactory();
		if (!(factory instanceof LoggerContext)) {
			logger.debug("The logging back end is not Logback (" + factory.getClass().getName() + "): no file to close");
			return found;
		}
		for (Logger each : ((LoggerContext) factory).getLoggerList()) {
			collect(each.iteratorForAppenders(), found);
		}
		return found;
	}

	private static void collect(Iterator<Appender<ILoggingEvent>> appenders, Set<FileAppender<?>> found) {
		while (appenders.hasNext()) {
			Appender<ILoggingEvent> appender = appenders.next();
			if (appender instanceof FileAppender) {
				found.add((FileAppender<?>) appender);
			}
			else if (appender instanceof AsyncAppenderBase) {
				collect(((AsyncAppenderBase<ILoggingEvent>) appender).iteratorForAppenders(), found);
			}
		}
	}

}
