/**
 * CDI integration: {@code @Inject DataAccess} for the store the configuration names, and
 * {@code @Inject @DalStore("name") DataAccess} for further named stores. The container opens each store
 * on first use and closes it when it shuts down. See {@link dev.dal.cdi.DataAccessProducer} and
 * {@link dev.dal.cdi.DalStore}.
 */
package dev.dal.cdi;
