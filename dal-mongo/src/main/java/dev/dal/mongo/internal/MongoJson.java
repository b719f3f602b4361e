package dev.dal.mongo.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccessException;
import dev.dal.api.JsonValues;
import java.time.Instant;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * JSON values as native BSON: objects become documents with {@link MongoKeys encoded keys}, 32-bit
 * integers {@code int32}, 64-bit integers {@code int64}, other numbers {@code double}, so that a
 * value read back equals, in {@link JsonValues#canonical} form, the value written.
 */
final class MongoJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MongoJson() {}

    static BsonValue toBson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return BsonNull.VALUE;
        }
        if (node.isObject()) {
            return toDocument(node);
        }
        if (node.isArray()) {
            BsonArray array = new BsonArray(node.size());
            node.forEach(element -> array.add(toBson(element)));
            return array;
        }
        if (node.isTextual()) {
            return new BsonString(node.textValue());
        }
        if (node.isBoolean()) {
            return BsonBoolean.valueOf(node.booleanValue());
        }
        if (node.isNumber()) {
            // Records hold canonical trees: int and double nodes are final already, with no copy to make.
            if (node.isInt()) {
                return new BsonInt32(node.intValue());
            }
            if (node.isDouble()) {
                double value = node.doubleValue();
                return new BsonDouble(value == 0.0 ? 0.0 : value);
            }
            JsonNode canonical = JsonValues.canonical(node);
            if (canonical.isInt()) {
                return new BsonInt32(canonical.intValue());
            }
            if (canonical.isLong()) {
                return new BsonInt64(canonical.longValue());
            }
            if (canonical.isDouble()) {
                return new BsonDouble(canonical.doubleValue());
            }
        }
        // Validation rejects these before a store is called; this is the last guard.
        throw new DataAccessException("A JSON value of kind " + node.getNodeType() + " cannot be stored exactly");
    }

    /**
     * @param node a JSON object
     * @return the document, keys encoded
     */
    static BsonDocument toDocument(JsonNode node) {
        BsonDocument doc = new BsonDocument();
        if (node != null) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                doc.append(MongoKeys.encode(field.getKey()), toBson(field.getValue()));
            }
        }
        return doc;
    }

    static JsonNode toJson(BsonValue value) {
        if (value == null || value.isNull()) {
            return NODES.nullNode();
        }
        switch (value.getBsonType()) {
            case DOCUMENT:
                return toObject(value.asDocument());
            case ARRAY: {
                ArrayNode array = NODES.arrayNode(value.asArray().size());
                for (BsonValue element : value.asArray()) {
                    array.add(toJson(element));
                }
                return array;
            }
            case STRING:
                return NODES.textNode(value.asString().getValue());
            case BOOLEAN:
                return NODES.booleanNode(value.asBoolean().getValue());
            case INT32:
                return NODES.numberNode(value.asInt32().getValue());
            case INT64:
                return JsonValues.canonical(NODES.numberNode(value.asInt64().getValue()));
            case DOUBLE:
                return NODES.numberNode(value.asDouble().getValue());
            case DECIMAL128:
                return JsonValues.canonical(
                        NODES.numberNode(value.asDecimal128().getValue().bigDecimalValue()));
            // Written by other tools (the legacy chat system's own scripts store dates and object ids in documents).
            case DATE_TIME:
                return NODES.textNode(
                        Instant.ofEpochMilli(value.asDateTime().getValue()).toString());
            case OBJECT_ID:
                return NODES.textNode(value.asObjectId().getValue().toHexString());
            default:
                throw new DataAccessException(
                        "A stored JSON value holds BSON type " + value.getBsonType() + ", which Dal does not read");
        }
    }

    /**
     * @param doc a stored document
     * @return the JSON object, keys decoded
     */
    static ObjectNode toObject(BsonDocument doc) {
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<String, BsonValue> field : doc.entrySet()) {
            object.set(MongoKeys.decode(field.getKey()), toJson(field.getValue()));
        }
        return object;
    }
}
