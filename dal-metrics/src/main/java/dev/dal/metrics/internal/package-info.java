/** How store events become meters; not API, may change without notice. */
package dev.dal.metrics.internal;
