package io.cse.node.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cse.node.image.Image;
import io.cse.node.image.ImageSummary;
import io.cse.node.instance.NodeContext;
import io.cse.node.linux.Bridge;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cse images}: the images under the images root, what each one is, and deleting
 * those no longer needed.
 */
@Command(name = "images", mixinStandardHelpOptions = true,
		description = "List, inspect and delete the images that dumps and clones wrote under the images root.",
		subcommands = { ImagesCommand.Ls.class, ImagesCommand.Inspect.class, ImagesCommand.Rm.class,
				CommandLine.HelpCommand.class })
public final class ImagesCommand {

	ImagesCommand() {
	}

	/**
	 * {@code --images-root}: where the images are, for an agent made for the call (a
	 * resident agent looks in its own).
	 */
	static final class RootOption {

		@Option(names = "--images-root", paramLabel = "DIR", defaultValue = Image.DEFAULT_ROOT,
				description = "Where the images are (default: ${DEFAULT-VALUE}; a resident agent uses its own).")
		Path imagesRoot;

		AgentCall call(NodeContext context, StateOptions state) {
			return new AgentCall(context, state.stateDir, this.imagesRoot, null, Bridge.DEFAULT_NAME);
		}

	}

	@Command(name = "ls", mixinStandardHelpOptions = true,
			description = "List the images: kind, when taken, size, the pools that restore from each, and what "
					+ "keeps one from being restored (an unfinished dump).")
	static final class Ls implements Callable<Integer> {

		private final NodeContext context;

		@Spec
		CommandSpec spec;

		@Mixin
		RootOption root;

		@Mixin
		StateOptions state;

		@Mixin
		JsonOption output;

		Ls(NodeContext context) {
			this.context = context;
		}

		@Override
		public Integer call() {
			AgentCall call = this.root.call(this.context, this.state);
			List<ImageSummary> images = call.send("GET", "/images", null, new TypeReference<List<ImageSummary>>() {
			});
			if (this.output.printed(this.spec, call)) {
				return 0;
			}
			PrintWriter out = this.spec.commandLine().getOut();
			if (images.isEmpty()) {
				out.println("No images.");
			}
			else {
				List<List<String>> rows = new ArrayList<>();
				for (ImageSummary image : images) {
					rows.add(List.of(image.id(), (image.kind() != null) ? image.kind() : "-",
							(image.createdAt() != null) ? image.createdAt() : "-", mebibytes(image.bytes()),
							(image.application() != null) ? image.application() : "-",
							image.pools().isEmpty() ? "-" : String.join(",", image.pools()),
							(image.problem() != null) ? image.problem() : "restorable"));
				}
				out.print(Output.table(List.of("ID", "KIND", "CREATED", "SIZE", "SERVICE", "POOLS", "STATE"), rows));
			}
			out.flush();
			return 0;
		}

	}

	@Command(name = "inspect", mixinStandardHelpOptions = true,
			description = "Show an image with its manifest, after checking every file against its SHA-256 as a "
					+ "restore would: 'problem' says what would keep it from being restored.")
	static final class Inspect implements Callable<Integer> {

		private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

		private final NodeContext context;

		@Spec
		CommandSpec spec;

		@Parameters(index = "0", paramLabel = "ID", description = "The image (see 'cse images ls').")
		String id;

		@Mixin
		RootOption root;

		@Mixin
		StateOptions state;

		Inspect(NodeContext context) {
			this.context = context;
		}

		@Override
		public Integer call() throws Exception {
			JsonNode image = this.root.call(this.context, this.state).send("GET", "/images/" + this.id, null,
					JsonNode.class);
			PrintWriter out = this.spec.commandLine().getOut();
			out.println(JSON.writeValueAsString(image));
			out.flush();
			return 0;
		}

	}

	@Command(name = "rm", mixinStandardHelpOptions = true,
			description = "Delete images, each folder whole; an image a pool restores from is kept until the pool "
					+ "is deleted. Needs root.")
	static final class Rm implements Callable<Integer> {

		private final NodeContext context;

		@Spec
		CommandSpec spec;

		@Parameters(arity = "1..*", paramLabel = "ID", description = "The images (see 'cse images ls').")
		List<String> ids;

		@Mixin
		RootOption root;

		@Mixin
		StateOptions state;

		@Mixin
		JsonOption output;

		Rm(NodeContext context) {
			this.context = context;
		}

		@Override
		public Integer call() {
			Root.require(this.context.host(), "images rm");
			AgentCall call = this.root.call(this.context, this.state);
			PrintWriter out = this.spec.commandLine().getOut();
			List<String> answers = new ArrayList<>();
			try {
				for (String id : this.ids) {
					JsonNode deleted = call.send("DELETE", "/images/" + id, null, JsonNode.class);
					answers.add(call.lastAnswer());
					if (!this.output.json) {
						out.printf("Deleted image %s (%s, %s)%n", id, deleted.path("path").asText(),
								mebibytes(deleted.path("bytes").asLong()));
						out.flush();
					}
				}
			}
			finally {
				// What was deleted before a refusal, too: the exit code says that one failed
				this.output.printed(this.spec, answers);
			}
			return 0;
		}

	}

	static String mebibytes(long bytes) {
		return (bytes < 0) ? "-" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024.0);
	}

}
