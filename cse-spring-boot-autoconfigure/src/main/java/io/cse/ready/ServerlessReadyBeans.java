package io.cse.ready;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

import io.cse.CheckpointContext;
import io.cse.ready.HazardCheckReport.Hook;
import io.cse.ready.HazardCheckReport.ReadyBean;
import io.cse.ready.ServerlessReadyMisuseException.Misuse;
import io.cse.ready.UniquenessHazard.Severity;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.framework.autoproxy.AutoProxyUtils;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the {@link ServerlessReady @ServerlessReady} beans of an application once every
 * singleton exists, checks them, and holds their hooks for the
 * {@link ServerlessReadyParticipant}.
 * <p>
 * The hazard check happens once, at start-up, before the application takes any traffic:
 * <ol>
 * <li>Misuse stops the start-up with a {@link ServerlessReadyMisuseException} that lists
 * every problem: hook methods on a class that is not annotated {@code @ServerlessReady}, a
 * {@code @ServerlessReady} bean that is not a singleton, hook methods that are static,
 * take other parameters than one {@link CheckpointContext}, return a value, or cannot be
 * called through the bean's proxy, and {@link ServerlessReady#ignoreHazards()} names that
 * match no field.</li>
 * <li>Every {@code @ServerlessReady} bean is checked for uniqueness hazards by a
 * {@link UniquenessHazardInspector}; each finding is logged at its severity and kept in
 * the {@link #getReport() report}.</li>
 * <li>If a finding is at or above the {@code failOn} severity, the start-up stops with a
 * {@link UniquenessHazardException}.</li>
 * </ol>
 * Beans are found by their own class, not their proxy's, the way Spring finds
 * {@code @EventListener} methods. A lazy singleton takes part once it has been created;
 * until then only its static fields are checked.
 */
public class ServerlessReadyBeans implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(ServerlessReadyBeans.class);

	private static final Set<Class<? extends Annotation>> ANNOTATIONS = new HashSet<>(
			Arrays.asList(ServerlessReady.class, BeforeCheckpoint.class, AfterRestore.class));

	private final ConfigurableListableBeanFactory beanFactory;

	private final UniquenessHazardInspector inspector;

	private final Severity failOn;

	private final Function<Object, List<String>> publishedBy;

	private volatile List<HookMethod> beforeCheckpointHooks = Collections.emptyList();

	private volatile List<HookMethod> afterRestoreHooks = Collections.emptyList();

	private volatile HazardCheckReport report = HazardCheckReport.EMPTY;

	/**
	 * Create a finder for the beans of the given factory.
	 * @param beanFactory the factory whose beans to check
	 * @param inspector finds the uniqueness hazards of each bean
	 * @param failOn the lowest severity of hazard that stops the start-up, or {@code null}
	 * to report hazards only
	 */
	public ServerlessReadyBeans(ConfigurableListableBeanFactory beanFactory, UniquenessHazardInspector inspector,
			Severity failOn) {
		this(beanFactory, inspector, failOn, (bean) -> Collections.emptyList());
	}

	/**
	 * Create a finder for the beans of the given factory that also records what publishes
	 * each bean as an RPC provider (see {@link io.cse.registry.ProviderPublisher}).
	 * @param beanFactory the factory whose beans to check
	 * @param inspector finds the uniqueness hazards of each bean
	 * @param failOn the lowest severity of hazard that stops the start-up, or {@code null}
	 * to report hazards only
	 * @param publishedBy returns the names of the publishers that publish a bean, asked
	 * once every singleton exists (publishers may be beans of the same factory)
	 */
	public ServerlessReadyBeans(ConfigurableListableBeanFactory beanFactory, UniquenessHazardInspector inspector,
			Severity failOn, Function<Object, List<String>> publishedBy) {
		this.beanFactory = beanFactory;
		this.inspector = inspector;
		this.failOn = failOn;
		this.publishedBy = publishedBy;
	}

	/**
	 * Return what the start-up hazard check found.
	 * @return the report, empty until every singleton exists
	 */
	public HazardCheckReport getReport() {
		return this.report;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<Misuse> misuses = new ArrayList<>();
		List<ReadyBeanCandidate> candidates = find(misuses);
		if (!misuses.isEmpty()) {
			throw new ServerlessReadyMisuseException(misuses);
		}
		List<ReadyBean> beans = new ArrayList<>();
		List<UniquenessHazard> hazards = new ArrayList<>();
		List<HookMethod> before = new ArrayList<>();
		List<HookMethod> after = new ArrayList<>();
		for (ReadyBeanCandidate candidate : candidates) {
			before.addAll(candidate.beforeCheckpoint());
			after.addAll(candidate.afterRestore());
			Object bean = target(instanceIfCreated(candidate.name()));
			List<String> publishedBy = (bean != null) ? this.publishedBy.apply(bean) : Collections.emptyList();
			beans.add(new ReadyBean(candidate.name(), candidate.type().getName(), hooks(candidate.beforeCheckpoint()),
					hooks(candidate.afterRestore()), candidate.ignoredHazards(), publishedBy));
			hazards.addAll(this.inspector.inspect(candidate.name(), candidate.type(), bean, candidate.ignoredHazards()));
		}
		hazards.addAll(this.inspector.inspectJvm());
		before.sort(HookMethod.EXECUTION_ORDER);
		after.sort(HookMethod.EXECUTION_ORDER);
		this.beforeCheckpointHooks = Collections.unmodifiableList(new ArrayList<>(before));
		this.afterRestoreHooks = Collections.unmodifiableList(new ArrayList<>(after));
		this.report = new HazardCheckReport(beans, hazards);
		if (logger.isDebugEnabled()) {
			logger.debug("Found " + beans.size() + " @ServerlessReady bean(s) with " + before.size()
					+ " @BeforeCheckpoint and " + after.size() + " @AfterRestore method(s), and " + hazards.size()
					+ " uniqueness hazard(s)");
		}
		for (UniquenessHazard hazard : hazards) {
			String message = "Uniqueness hazard: " + hazard.describe();
			if (hazard.severity() == Severity.ERROR) {
				logger.error(message);
			}
			else {
				logger.warn(message);
			}
		}
		if (this.failOn != null) {
			List<UniquenessHazard> stopping = hazards.stream()
				.filter((hazard) -> hazard.severity().compareTo(this.failOn) >= 0)
				.collect(Collectors.toList());
			if (!stopping.isEmpty()) {
				throw new UniquenessHazardException(this.failOn, stopping);
			}
		}
	}

	List<HookMethod> beforeCheckpointHooks() {
		return this.beforeCheckpointHooks;
	}

	List<HookMethod> afterRestoreHooks() {
		return this.afterRestoreHooks;
	}

	/**
	 * Return the {@code @ServerlessReady} beans that have been created, each the object
	 * behind its proxy if it has one: a lazy singleton that nothing has used yet has nothing
	 * to quiesce.
	 * @return the beans by name, in the order of the {@link #getReport() report}
	 */
	public Map<String, Object> getCreatedBeans() {
		Map<String, Object> created = new LinkedHashMap<>();
		for (ReadyBean bean : this.report.beans()) {
			Object instance = target(instanceIfCreated(bean.name()));
			if (instance != null) {
				created.put(bean.name(), instance);
			}
		}
		return created;
	}

	// A lazy singleton that nothing has used yet has nothing to quiesce.
	Object instanceIfCreated(String beanName) {
		return this.beanFactory.containsSingleton(beanName) ? this.beanFactory.getBean(beanName) : null;
	}

	private List<ReadyBeanCandidate> find(List<Misuse> misuses) {
		List<ReadyBeanCandidate> candidates = new ArrayList<>();
		Set<Class<?>> plainClasses = new HashSet<>();
		String[] names = this.beanFactory.getBeanNamesForType(Object.class, true, false);
		for (int index = 0; index < names.length; index++) {
			String name = names[index];
			if (isScopedProxy(name)) {
				// Its target, "scopedTarget." + name, is checked instead.
				continue;
			}
			Class<?> type = targetClass(name);
			if (type == null || plainClasses.contains(type) || !isCandidate(type)) {
				continue;
			}
			boolean ready = AnnotatedElementUtils.hasAnnotation(type, ServerlessReady.class);
			if (!ready && !declaresHookMethods(type)) {
				plainClasses.add(type);
				continue;
			}
			List<HookMethod> before = hookMethods(name, index, type, BeforeCheckpoint.class, BeforeCheckpoint::order);
			List<HookMethod> after = hookMethods(name, index, type, AfterRestore.class, AfterRestore::order);
			ReadyBeanCandidate candidate = check(name, index, type, ready, before, after, misuses);
			if (candidate != null) {
				candidates.add(candidate);
			}
		}
		return candidates;
	}

	private ReadyBeanCandidate check(String name, int index, Class<?> type, boolean ready, List<HookMethod> before,
			List<HookMethod> after, List<Misuse> misuses) {
		String beanName = ScopedProxyUtils.isScopedTarget(name) ? ScopedProxyUtils.getOriginalBeanName(name) : name;
		if (!ready) {
			List<String> methods = new ArrayList<>();
			before.forEach((hook) -> methods.add("@BeforeCheckpoint " + hook.signature()));
			after.forEach((hook) -> methods.add("@AfterRestore " + hook.signature()));
			misuses.add(new Misuse(beanName, type.getName(), String.join(", ", methods),
					"the class is not annotated @ServerlessReady, so these methods would never run",
					"annotate " + type.getSimpleName() + " with @ServerlessReady"));
			return null;
		}
		String scope = nonSingletonScope(name);
		if (scope != null) {
			misuses.add(new Misuse(beanName, type.getName(), "@ServerlessReady",
					"the bean has scope '" + scope + "', but hooks run on, and the hazard check reads, the one "
							+ "instance of a singleton",
					"make it a singleton (remove its scope), and keep per-" + scope
							+ " state in objects that a singleton @ServerlessReady bean manages"));
			return null;
		}
		int known = misuses.size();
		Object bean = instanceIfCreated(name);
		before.forEach((hook) -> checkSignature(beanName, hook, BeforeCheckpoint.class, bean, misuses));
		after.forEach((hook) -> checkSignature(beanName, hook, AfterRestore.class, bean, misuses));
		List<String> ignoredHazards = Arrays
			.asList(AnnotatedElementUtils.findMergedAnnotation(type, ServerlessReady.class).ignoreHazards());
		for (String field : ignoredHazards) {
			if (ReflectionUtils.findField(type, field) == null) {
				misuses.add(new Misuse(beanName, type.getName(), "@ServerlessReady(ignoreHazards = \"" + field + "\")",
						"no field of " + type.getSimpleName() + " or of its superclasses is named '" + field + "'",
						"name a field, or remove '" + field + "' from ignoreHazards"));
			}
		}
		return (misuses.size() == known) ? new ReadyBeanCandidate(beanName, type, ignoredHazards, before, after) : null;
	}

	private static void checkSignature(String beanName, HookMethod hook, Class<? extends Annotation> annotation,
			Object bean, List<Misuse> misuses) {
		Method method = hook.method();
		String member = "@" + annotation.getSimpleName() + " method " + hook.signature();
		String name = method.getName();
		String type = hook.beanType().getName();
		if (Modifier.isStatic(method.getModifiers())) {
			misuses.add(new Misuse(beanName, type, member, "the method is static, but hooks run on the bean",
					"remove 'static' from " + name + "()"));
		}
		Class<?>[] parameters = method.getParameterTypes();
		if (parameters.length > 1 || (parameters.length == 1 && parameters[0] != CheckpointContext.class)) {
			misuses.add(new Misuse(beanName, type, member,
					"a hook takes no parameter or one CheckpointContext, not " + Arrays.stream(parameters)
						.map(Class::getSimpleName)
						.collect(Collectors.toList()),
					"declare it as " + name + "() or as " + name + "(CheckpointContext context)"));
		}
		if (method.getReturnType() != void.class) {
			misuses.add(new Misuse(beanName, type, member,
					"the method returns " + method.getReturnType().getSimpleName()
							+ ", but a hook's result would be dropped, and an asynchronous one would not be waited for",
					"make it return void, and let it finish its work before it returns"));
		}
		if (bean != null && AopUtils.isAopProxy(bean)) {
			try {
				AopUtils.selectInvocableMethod(method, bean.getClass());
				if (AopUtils.isCglibProxy(bean) && Modifier.isFinal(method.getModifiers())) {
					misuses.add(new Misuse(beanName, type, member,
							"the method is final, so called on the proxy that Spring made for the bean it would run "
									+ "on the proxy itself, whose fields are not set",
							"remove 'final' from " + name + "()"));
				}
			}
			catch (IllegalStateException ex) {
				misuses.add(new Misuse(beanName, type, member,
						"the method cannot be called through the proxy that Spring made for the bean: "
								+ ex.getMessage(),
						"make it non-private, or declare it on an interface of the bean, or use class-based proxies"));
			}
		}
	}

	private <A extends Annotation> List<HookMethod> hookMethods(String beanName, int beanIndex, Class<?> type,
			Class<A> annotation, ToIntFunction<A> order) {
		Map<Method, A> methods = MethodIntrospector.selectMethods(type,
				(MethodIntrospector.MetadataLookup<A>) (method) -> AnnotatedElementUtils.findMergedAnnotation(method,
						annotation));
		List<HookMethod> hooks = new ArrayList<>();
		methods.forEach((method, found) -> hooks
			.add(new HookMethod(beanName, beanIndex, type, method, order.applyAsInt(found))));
		hooks.sort(HookMethod.EXECUTION_ORDER);
		return hooks;
	}

	/**
	 * Return whether a method of the class, its superclasses or its interfaces carries a
	 * hook annotation: a cheap test that spares the full search in the many classes that
	 * have none. The hook annotations target methods only, so they cannot be
	 * meta-annotations, and looking for them directly is enough.
	 */
	private static boolean declaresHookMethods(Class<?> type) {
		Set<Class<?>> hierarchy = new LinkedHashSet<>(ClassUtils.getAllInterfacesForClassAsSet(type));
		for (Class<?> current = type; current != null && current != Object.class; current = current.getSuperclass()) {
			hierarchy.add(current);
		}
		for (Class<?> current : hierarchy) {
			for (Method method : ReflectionUtils.getDeclaredMethods(current)) {
				if (method.isAnnotationPresent(BeforeCheckpoint.class) || method.isAnnotationPresent(AfterRestore.class)) {
					return true;
				}
			}
		}
		return false;
	}

	private boolean isScopedProxy(String name) {
		return !ScopedProxyUtils.isScopedTarget(name)
				&& this.beanFactory.containsBeanDefinition(ScopedProxyUtils.getTargetBeanName(name));
	}

	private Class<?> targetClass(String name) {
		try {
			Class<?> type = AutoProxyUtils.determineTargetClass(this.beanFactory, name);
			if (type != null && Proxy.isProxyClass(type)) {
				// An interface-based proxy: only the object behind it knows its class.
				Object bean = instanceIfCreated(name);
				type = (bean != null) ? AopProxyUtils.ultimateTargetClass(bean) : null;
			}
			return (type != null) ? ClassUtils.getUserClass(type) : null;
		}
		catch (RuntimeException ex) {
			// A bean whose type cannot be resolved cannot carry our annotations either.
			logger.debug("Cannot resolve the class of bean '" + name + "'", ex);
			return null;
		}
	}

	private static boolean isCandidate(Class<?> type) {
		// Spring's own classes cannot carry these annotations: skip their methods.
		return !type.getName().startsWith("org.springframework.")
				&& AnnotationUtils.isCandidateClass(type, ANNOTATIONS);
	}

	private String nonSingletonScope(String name) {
		if (!this.beanFactory.containsBeanDefinition(name)) {
			return null;
		}
		BeanDefinition definition = this.beanFactory.getMergedBeanDefinition(name);
		if (definition.isSingleton()) {
			return null;
		}
		return definition.getScope();
	}

	static Object target(Object bean) {
		Object current = bean;
		while (current != null && AopUtils.isAopProxy(current)) {
			current = AopProxyUtils.getSingletonTarget(current);
		}
		return current;
	}

	private static List<Hook> hooks(List<HookMethod> methods) {
		return methods.stream()
			.map((method) -> new Hook(method.signature(), method.order()))
			.collect(Collectors.toList());
	}

}
