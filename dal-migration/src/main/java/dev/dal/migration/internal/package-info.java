/** How the migration tool does its work: record codecs, per-kind access, checkpoints. Not API. */
package dev.dal.migration.internal;
