/**
 * Micrometer meters for Dal's stores. With this module on the class path every store that
 * {@link dev.dal.api.DataAccessFactory} opens publishes the meters {@link dev.dal.metrics.DalMetrics}
 * names, to Micrometer's global registry or to the registries an application binds with
 * {@link dev.dal.metrics.DalMetrics#bindTo(io.micrometer.core.instrument.MeterRegistry)}. Tags carry the
 * store type, the operation's name and the outcome only, never a caller's value.
 */
package dev.dal.metrics;
