/**
 * RabbitMQ: Spring AMQP's connection factories let go of their connections while the
 * instance is quiesced.
 */
package io.cse.amqp;
