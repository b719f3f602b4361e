package dev.dal.file.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.dal.api.DataAccessException;
import dev.dal.api.JsonValues;
import java.io.IOException;

/** Turns records into the JSON the store keeps on disk and back. */
final class RecordCodec {
    private final ObjectMapper mapper = JsonValues.newMapper().disable(SerializationFeature.INDENT_OUTPUT);

    byte[] write(Object value) throws IOException {
        return mapper.writeValueAsBytes(value);
    }

    <T> T read(byte[] json, Class<T> type, String what) {
        try {
            return mapper.readValue(json, type);
        } catch (IOException e) {
            throw new DataAccessException("The file store holds an unreadable " + what + " record", e);
        }
    }
}
