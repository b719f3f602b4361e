/** What a backend implements and uses: the provider interface and Dal's id generator. */
package dev.dal.api.spi;
