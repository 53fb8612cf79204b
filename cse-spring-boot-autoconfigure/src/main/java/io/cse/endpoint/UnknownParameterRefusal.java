package io.cse.endpoint;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.cse.CallerText;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameter;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameters;
import org.springframework.boot.actuate.endpoint.invoke.ParameterMappingException;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * Refuses a write operation of {@code /actuator/cse} whose request carries a parameter
 * (a field of its JSON body, or a query parameter) that the operation does not take.
 * <p>
 * The actuator binds parameters by name and drops every other one, so a typo went
 * unnoticed and the operation ran as if the field had not been sent:
 * {@code POST /actuator/cse/dump} with {@code {"imag": "before-upgrade"}} started a dump
 * under a generated name, which ends the process, and {@code {"squeeze": true}} on a
 * freeze froze the service. Now such a request answers {@code 400}, naming the parameter
 * and those the endpoint takes, and nothing runs. Reads change nothing and are left as
 * they are.
 * <p>
 * A parameter whose value cannot be read as the operation's type ({@code "maybe"} for
 * {@code thawOnRequest}) is refused the same way, naming the parameter and what to send.
 * <p>
 * The refusal comes before the token's check, and so tells a caller without the token
 * nothing of the instance: not even its state.
 */
public class UnknownParameterRefusal implements OperationInvokerAdvisor {

	private static final EndpointId CSE = EndpointId.of("cse");

	/** How a refusal is returned: as it is, or in a publisher for a reactive operation. */
	private final Function<WebEndpointResponse<ErrorDescriptor>, Object> answer;

	/**
	 * Create a refusal for the operations of {@link CseEndpointWebExtension}, which answer
	 * as they are.
	 */
	public UnknownParameterRefusal() {
		this((response) -> response);
	}

	private UnknownParameterRefusal(Function<WebEndpointResponse<ErrorDescriptor>, Object> answer) {
		this.answer = answer;
	}

	/**
	 * Return a refusal for the operations of {@link ReactiveCseEndpointWebExtension}: the
	 * actuator reads what a reactive operation returns as a publisher.
	 * @return the refusal
	 */
	public static UnknownParameterRefusal reactive() {
		return new UnknownParameterRefusal(Mono::just);
	}

	/** The selector of {@code POST /actuator/cse/{action}}, which comes from the path. */
	private static final String ACTION = "action";

	@Override
	public OperationInvoker apply(EndpointId endpointId, OperationType operationType, OperationParameters parameters,
			OperationInvoker invoker) {
		if (!CSE.equals(endpointId) || operationType != OperationType.WRITE) {
			return invoker;
		}
		Set<String> known = parameters.stream()
			.map(OperationParameter::getName)
			.collect(Collectors.toCollection(TreeSet::new));
		Set<String> sent = new TreeSet<>(known);
		sent.remove(ACTION);
		return (context) -> {
			Set<String> unknown = new TreeSet<>(context.getArguments().keySet());
			unknown.removeAll(known);
			if (!unknown.isEmpty()) {
				return badRequest(message(unknown, sent));
			}
			try {
				return invoker.invoke(context);
			}
			catch (ParameterMappingException ex) {
				// The actuator's own answer says "Parameter mapping failure", and not which
				return badRequest(message(ex));
			}
		};
	}

	private Object badRequest(String message) {
		return this.answer
			.apply(new WebEndpointResponse<>(new ErrorDescriptor(message, null), WebEndpointResponse.STATUS_BAD_REQUEST));
	}

	private static String message(ParameterMappingException ex) {
		OperationParameter parameter = ex.getParameter();
		Class<?> type = parameter.getType();
		String expected = (type == boolean.class || type == Boolean.class) ? "true or false" : "a " + type.getSimpleName();
		return "Parameter '" + parameter.getName() + "' cannot be '" + CallerText.echoed(String.valueOf(ex.getValue()))
				+ "', nothing was done: send " + expected;
	}

	private static String message(Set<String> unknown, Set<String> known) {
		return "Unknown parameter" + ((unknown.size() > 1) ? "s " : " ")
				+ unknown.stream().map((name) -> "'" + CallerText.echoed(name) + "'").collect(Collectors.joining(", "))
				+ ", nothing was done: the endpoint's operations take " + String.join(", ", known)
				+ " (image for a dump or a clone, properties for a thaw, thawOnRequest for a freeze)";
	}

}
