package io.cse.samples.hsf;

/**
 * The reference article's HSF service interface, published here through Apache Dubbo.
 */
public interface HelloWorldService {

	/**
	 * Greet someone.
	 * @param name who to greet
	 * @return {@code "hello : " + name}
	 */
	String sayHello(String name);

}
