/** The starter's machinery: how properties become Dal settings, the start-up failure report. Not API; may change. */
package dev.dal.spring.boot.internal;
