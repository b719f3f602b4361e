/** The CDI producer's machinery: named-store settings and their registry. Not API; may change at any time. */
package dev.dal.cdi.internal;
