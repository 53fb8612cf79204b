package example.registry;

/**
 * The one Dubbo service the registry service publishes. Its callers need not share this
 * type: the suite calls it generically, by name.
 */
public interface Greeter {

	/**
	 * Greet someone.
	 * @param name who to greet
	 * @return {@code hello <name> from <the service's name>}
	 */
	String greet(String name);

}
