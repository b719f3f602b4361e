/**
 * The Dal contract: {@link dev.dal.api.DataAccess}, its records, errors and configuration, and
 * {@link dev.dal.api.DataAccessFactory} to obtain a store.
 */
package dev.dal.api;
