/**
 * Meters: {@link dev.dal.spring.boot.metrics.DalMeterBinder} beans bind the store's meters to the application's
 * Micrometer registry; configured when Micrometer is present.
 */
package dev.dal.spring.boot.metrics;
