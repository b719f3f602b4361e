/** Record-level scan and upsert, the base of copy, verify, export and dual-write. */
package dev.dal.api.bulk;
