/** The file store's machinery: lock, rollback journal, record files, message logs. Not API. */
package dev.dal.file.internal;
