package io.cse.dubbo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.cse.CheckpointContext;
import io.cse.registry.ProviderPublisher;
import org.apache.dubbo.config.spring.ServiceBean;
import org.apache.dubbo.rpc.model.ProviderModel;
import org.apache.dubbo.rpc.model.ProviderModel.RegisterStatedURL;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The {@link ProviderPublisher} for Apache Dubbo: a
 * {@link io.cse.ready.ServerlessReady @ServerlessReady} bean that Dubbo exports (annotated
 * {@code @DubboService}, or the {@code ref} of a {@code <dubbo:service>}) is published by
 * Dubbo, shows {@code dubbo} in the hazard check's report, and has its Dubbo services taken
 * offline and back online the way the {@link DubboProviderParticipant} does, which also
 * renews a clone's sessions and address before these come back.
 */
public class DubboProviderPublisher implements ProviderPublisher {

	private final ListableBeanFactory beanFactory;

	private final DubboProviderParticipant participant;

	private final Map<Object, List<RegisterStatedURL>> offline = new ConcurrentHashMap<>();

	/**
	 * Create a publisher.
	 * @param beanFactory the application's bean factory, whose {@link ServiceBean}s name
	 * the beans that Dubbo exports
	 * @param participant the participant that renews a clone before its services return
	 */
	public DubboProviderPublisher(ListableBeanFactory beanFactory, DubboProviderParticipant participant) {
		this.beanFactory = beanFactory;
		this.participant = participant;
	}

	@Override
	public String getName() {
		return "dubbo";
	}

	@Override
	public boolean publishes(Object bean) {
		// Asked at start-up, before Dubbo exports anything: its service beans say what it will
		for (ServiceBean<?> service : this.beanFactory.getBeansOfType(ServiceBean.class, false, false).values()) {
			if (unwrap(service.getRef()) == bean) {
				return true;
			}
		}
		return DubboProviderParticipant.providers((provider) -> unwrap(provider.getServiceInstance()) == bean).size() > 0;
	}

	private static Object unwrap(Object bean) {
		Object current = bean;
		while (current != null && AopUtils.isAopProxy(current)) {
			current = AopProxyUtils.getSingletonTarget(current);
		}
		return current;
	}

	@Override
	public void offline(Object bean, CheckpointContext context) {
		List<ProviderModel> providers = DubboProviderParticipant
			.providers((provider) -> unwrap(provider.getServiceInstance()) == bean);
		List<RegisterStatedURL> taken = this.participant.offline(providers, context);
		this.offline.computeIfAbsent(bean, (key) -> new ArrayList<>()).addAll(taken);
	}

	@Override
	public void online(Object bean, CheckpointContext context) {
		List<RegisterStatedURL> urls = this.offline.getOrDefault(bean, Collections.emptyList());
		List<RegisterStatedURL> failed = this.participant.online(new ArrayList<>(urls), context);
		if (failed.isEmpty()) {
			this.offline.remove(bean);
			return;
		}
		this.offline.put(bean, new ArrayList<>(failed));
		throw new IllegalStateException("Could not register again Dubbo service(s) " + failed.stream()
			.map((stated) -> stated.getProviderUrl().getServiceKey())
			.collect(Collectors.toList()));
	}

}
