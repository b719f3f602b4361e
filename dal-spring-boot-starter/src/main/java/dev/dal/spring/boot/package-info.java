/**
 * Spring Boot auto-configuration for Dal: one {@link dev.dal.api.DataAccess} bean from Dal's settings or the
 * {@code dal.*} properties ({@link dev.dal.spring.boot.DalProperties}), closed with the context. The health
 * indicator is in {@link dev.dal.spring.boot.health}, the meter binding in {@link dev.dal.spring.boot.metrics}.
 */
package dev.dal.spring.boot;
