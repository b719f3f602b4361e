/**
 * The Actuator health indicator over {@link dev.dal.api.DataAccess#healthCheck()}, configured when Actuator is
 * present.
 */
package dev.dal.spring.boot.health;
