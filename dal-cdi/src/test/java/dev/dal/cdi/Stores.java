package dev.dal.cdi;

import dev.dal.api.DataAccess;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

/** An application bean injecting the default store and the archive store twice. */
@Dependent
class Stores {
    @Inject
    DataAccess store;

    @Inject
    @DalStore("archive")
    DataAccess archive;

    @Inject
    @DalStore("archive")
    DataAccess archiveAgain;
}
