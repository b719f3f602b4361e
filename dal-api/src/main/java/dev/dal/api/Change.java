package dev.dal.api;

import java.util.Optional;

/**
 * One field of an update: either left as it is, or set to a value (which may be {@code null} to
 * clear a field that allows it).
 *
 * @param <T> the field's type
 */
public final class Change<T> {
    private static final Change<?> KEEP = new Change<>(false, null);

    private final boolean set;
    private final T value;

    private Change(boolean set, T value) {
        this.set = set;
        this.value = value;
    }

    /**
     * @param <T> the field's type
     * @return a change that leaves the field as it is
     */
    @SuppressWarnings("unchecked")
    public static <T> Change<T> keep() {
        return (Change<T>) KEEP;
    }

    /**
     * @param <T> the field's type
     * @param value the new value, may be {@code null} to clear
     * @return a change that sets the field
     */
    public static <T> Change<T> to(T value) {
        return new Change<>(true, value);
    }

    /**
     * @param <T> the field's type
     * @param change a change, or {@code null}
     * @return the change, or {@link #keep()} for {@code null}
     */
    public static <T> Change<T> orKeep(Change<T> change) {
        return change == null ? keep() : change;
    }

    /** @return whether the field is to be set */
    public boolean isSet() {
        return set;
    }

    /** @return the new value when set; empty when kept or when set to {@code null} */
    public Optional<T> value() {
        return Optional.ofNullable(value);
    }

    /**
     * @param current the current value
     * @return the value after the change
     */
    public T apply(T current) {
        return set ? value : current;
    }

    @Override
    public String toString() {
        return set ? "set(" + value + ")" : "keep";
    }
}
