package io.cse.samples.hsf;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import io.cse.CheckpointContext;
import io.cse.ready.AfterRestore;
import io.cse.ready.BeforeCheckpoint;
import io.cse.ready.ServerlessReady;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.dubbo.config.annotation.DubboService;

/**
 * The reference article's HSF provider: {@code @DubboService} publishes it to the
 * registry, {@code @ServerlessReady} makes it snapshot-ready. The starter takes it out of
 * the registry before every freeze, dump and clone, and back in afterwards (a clone at
 * its own address and under its own instance id), before and after the hooks below.
 */
@DubboService
@ServerlessReady
public class HelloWorldServiceImpl implements HelloWorldService {

	private static final Log logger = LogFactory.getLog(HelloWorldServiceImpl.class);

	private final AtomicLong calls = new AtomicLong();

	@Override
	public String sayHello(String name) {
		this.calls.incrementAndGet();
		return "hello : " + name;
	}

	@BeforeCheckpoint
	void beforeCheckpoint(CheckpointContext context) {
		// Offline already: no consumer finds this provider any more
		logger.info("Served " + this.calls.get() + " call(s) before the " + context.operation().name().toLowerCase(Locale.ROOT));
	}

	@AfterRestore
	void afterRestore(CheckpointContext context) {
		if (context.isClone()) {
			// A clone starts its own count: the template's calls are not its own
			this.calls.set(0);
		}
		logger.info("Back after the " + context.resumption().name().toLowerCase(Locale.ROOT) + " as instance "
				+ context.identity().getInstanceId());
	}

}
