/** The MongoDB store's implementation; not API, may change at any time. */
package dev.dal.mongo.internal;
