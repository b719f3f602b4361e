/**
 * The chat HTTP service: a Spring Boot application whose only data access is the {@link dev.dal.api.DataAccess}
 * bean {@code dal-spring-boot-starter} configures. Start with {@link ChatServiceApplication}; the endpoints are in
 * {@link ChatController}, the error bodies in {@link DalErrorHandler}.
 */
package dev.dal.examples.chatservice;
