package dev.dal.cdi;

import dev.dal.api.DataAccess;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

/** An application bean injecting a named store that the tests leave unconfigured or misconfigured. */
@Dependent
class NeedsAudit {
    @Inject
    @DalStore("audit-log")
    DataAccess audit;
}
