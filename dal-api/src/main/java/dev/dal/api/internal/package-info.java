/** Dal's own machinery behind the API: validation and error guarding. Not API; may change at any time. */
package dev.dal.api.internal;
