/** The MongoDB store: {@link dev.dal.mongo.MongoStoreProvider}, over the official sync Java driver. */
package dev.dal.mongo;
