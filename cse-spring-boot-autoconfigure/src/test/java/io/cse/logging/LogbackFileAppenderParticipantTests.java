package io.cse.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import io.cse.CheckpointContext;
import io.cse.CheckpointContext.Operation;
import io.cse.CheckpointContext.Resumption;
import io.cse.InstanceIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LogbackFileAppenderParticipant} with a real rolling file appender, and
 * the process's own open files ({@code /proc/self/fd}) as the judge of what a snapshot
 * would hold.
 */
class LogbackFileAppenderParticipantTests {

	private static final InstanceIdentity IDENTITY = new InstanceIdentity(Clock.systemUTC());

	@TempDir
	Path folder;

	private Path file;

	private Logger logger;

	private RollingFileAppender<ILoggingEvent> appender;

	private final LogbackFileAppenderParticipant participant = new LogbackFileAppenderParticipant();

	@BeforeEach
	void rollingFileAppender() {
		LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
		this.file = this.folder.resolve("service.log");
		this.appender = new RollingFileAppender<>();
		this.appender.setContext(context);
		this.appender.setName("FILE");
		this.appender.setFile(this.file.toString());
		SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
		policy.setContext(context);
		policy.setParent(this.appender);
		policy.setFileNamePattern(this.folder.resolve("service.%d{yyyy-MM-dd}.%i.log.gz").toString());
		policy.setMaxFileSize(FileSize.valueOf("10MB"));
		policy.start();
		PatternLayoutEncoder encoder = new PatternLayoutEncoder();
		encoder.setContext(context);
		encoder.setPattern("%msg%n");
		encoder.start();
		this.appender.setRollingPolicy(policy);
		this.appender.setEncoder(encoder);
		this.appender.start();
		this.logger = context.getLogger("io.cse.logging.test");
		this.logger.setLevel(Level.INFO);
		this.logger.setAdditive(false);
		this.logger.addAppender(this.appender);
	}

	@AfterEach
	void detach() {
		this.logger.detachAppender(this.appender);
		this.appender.stop();
	}

	@Test
	void snapshotClosesTheFileAndRestoreOpensItAgainAtTheConfiguredPathWhateverBecameOfIt() throws Exception {
		this.logger.info("before the dump");
		assertThat(openFiles()).as("files this process holds open").contains(this.file);

		this.participant.quiesce(context(Operation.DUMP, null));
		assertThat(openFiles()).as("files a snapshot would hold open").doesNotContain(this.file);
		this.logger.info("during the dump");
		// While the image waits, the file is rotated away, as logrotate or 'cse stop' do
		Files.move(this.file, this.folder.resolve("service.log.1"));

		this.participant.resume(context(Operation.DUMP, Resumption.RESTORE));
		this.logger.info("after the restore");
		assertThat(openFiles()).contains(this.file);
		assertThat(Files.readAllLines(this.file)).containsExactly("during the dump", "after the restore");
		assertThat(Files.readAllLines(this.folder.resolve("service.log.1"))).containsExactly("before the dump");
	}

	@Test
	void aCloneAppendsToTheConfiguredFileAndLeavesWhatTheTemplateLoggedToTheTemplate() throws Exception {
		this.logger.info("template");
		this.participant.quiesce(context(Operation.CLONE, null));
		this.logger.info("while the template is snapshotted");
		Files.writeString(this.file, "the template went on\n", java.nio.file.StandardOpenOption.APPEND);

		this.participant.resume(context(Operation.CLONE, Resumption.CLONE));
		this.logger.info("clone");
		assertThat(Files.readAllLines(this.file)).containsExactly("template", "the template went on", "clone");
	}

	@Test
	void aFreezeLeavesTheFileOpen() throws Exception {
		this.participant.quiesce(context(Operation.FREEZE, null));
		assertThat(openFiles()).contains(this.file);
		this.logger.info("while frozen");
		this.participant.resume(context(Operation.FREEZE, Resumption.THAW));
		assertThat(Files.readAllLines(this.file)).containsExactly("while frozen");
	}

	@Test
	void aRolledBackSnapshotKeepsEveryLine() throws Exception {
		this.participant.quiesce(context(Operation.DUMP, null));
		this.logger.info("during a snapshot that fails");
		this.participant.resume(context(Operation.DUMP, Resumption.ROLLBACK));
		this.logger.info("after");
		assertThat(Files.readAllLines(this.file)).containsExactly("during a snapshot that fails", "after");
	}

	private static CheckpointContext context(Operation operation, Resumption resumption) {
		return new CheckpointContext(operation, resumption, IDENTITY);
	}

	private static List<Path> openFiles() throws IOException {
		List<Path> files = new ArrayList<>();
		try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			for (Path descriptor : (Iterable<Path>) descriptors::iterator) {
				try {
					files.add(Files.readSymbolicLink(descriptor));
				}
				catch (IOException ex) {
					// closed since it was listed (the listing's own descriptor)
				}
			}
		}
		return files;
	}

}
