/**
 * Lets go of Kafka brokers while an instance is quiesced (Spring Kafka's producers), and
 * gives a clone a consumer group membership of its own.
 */
package io.cse.kafka;
