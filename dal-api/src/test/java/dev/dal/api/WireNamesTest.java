package dev.dal.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class WireNamesTest {

    @Test
    void wireNamesAreLowerCase() {
        assertThat(Role.USER.wireName()).isEqualTo("user");
        assertThat(Role.ASSISTANT.wireName()).isEqualTo("assistant");
        assertThat(Role.SYSTEM.wireName()).isEqualTo("system");
        assertThat(Role.TOOL.wireName()).isEqualTo("tool");
        assertThat(UserStatus.DISABLED.wireName()).isEqualTo("disabled");
        assertThat(SessionStatus.ARCHIVED.wireName()).isEqualTo("archived");
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void roleRoundTripsIgnoringCase(Role role) {
        assertThat(Role.fromWireName(role.wireName())).isEqualTo(role);
        assertThat(Role.fromWireName(role.name())).isEqualTo(role);
        assertThat(Role.fromWireName(" " + role.wireName() + " ")).isEqualTo(role);
    }

    @ParameterizedTest
    @EnumSource(UserStatus.class)
    void userStatusRoundTrips(UserStatus status) {
        assertThat(UserStatus.fromWireName(status.wireName().toUpperCase(java.util.Locale.ROOT)))
                .isEqualTo(status);
    }

    @ParameterizedTest
    @EnumSource(SessionStatus.class)
    void sessionStatusRoundTrips(SessionStatus status) {
        assertThat(SessionStatus.fromWireName(status.wireName())).isEqualTo(status);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "human", "users", "bot"})
    void unknownRoleNamesTheFieldAndTheChoices(String value) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> Role.fromWireName(value));

        assertThat(e.field()).isEqualTo("role");
        assertThat(e.rule()).contains("user", "assistant", "system", "tool");
    }

    @Test
    void unknownStatusesNameTheirFields() {
        ValidationException user =
                catchThrowableOfType(ValidationException.class, () -> UserStatus.fromWireName("banned"));
        ValidationException session =
                catchThrowableOfType(ValidationException.class, () -> SessionStatus.fromWireName("closed"));

        assertThat(user.field()).isEqualTo("userStatus");
        assertThat(user.rule()).contains("active", "disabled", "deleted");
        assertThat(session.field()).isEqualTo("sessionStatus");
        assertThat(session.rule()).contains("active", "archived");
    }

    @Test
    void jacksonUsesTheWireNames() throws Exception {
        ObjectMapper mapper = JsonValues.newMapper();

        assertThat(mapper.writeValueAsString(Role.ASSISTANT)).isEqualTo("\"assistant\"");
        assertThat(mapper.readValue("\"TOOL\"", Role.class)).isEqualTo(Role.TOOL);
        assertThat(mapper.readValue("\"archived\"", SessionStatus.class)).isEqualTo(SessionStatus.ARCHIVED);
    }
}
