package dev.dal.benchmarks.jmh;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One row of the {@code messages} table, as pgjdbc hands it to Dal's row mapper: the values already
 * converted to the Java types the driver returns ({@code UUID}, {@code OffsetDateTime}, the {@code jsonb}
 * column as text). It lets {@code PostgresRows.message} run without a server, so the figure is Dal's part of
 * reading a row (the mapping, the JSON parse, the record's copies), not the driver's decoding of the wire.
 * Only the getters by column name that the mapper calls are implemented; every other method throws.
 */
public final class MessageRow implements ResultSet {
    private final Map<String, Object> columns;
    private boolean wasNull;

    /**
     * @param id the message id
     * @param sessionId the session's id
     * @param sequenceNumber the sequence number
     * @param role the role's wire name
     * @param content the text
     * @param metadataJson the metadata as {@code jsonb} text
     * @param tokenCount the token count, or {@code null}
     * @param abuseFlagged the flag
     * @param createdAt the creation time
     */
    public MessageRow(
            UUID id,
            UUID sessionId,
            long sequenceNumber,
            String role,
            String content,
            String metadataJson,
            Integer tokenCount,
            boolean abuseFlagged,
            OffsetDateTime createdAt) {
        // HashMap lookups by column name, as pgjdbc's findColumn does.
        this.columns = new java.util.HashMap<>();
        columns.put("id", id);
        columns.put("chat_session_id", sessionId);
        columns.put("sequence_number", sequenceNumber);
        columns.put("role", role);
        columns.put("content", content);
        columns.put("metadata", metadataJson);
        columns.put("token_count", tokenCount);
        columns.put("abuse_flagged", abuseFlagged);
        columns.put("created_at", createdAt);
    }

    private Object read(String column) throws SQLException {
        if (!columns.containsKey(column)) {
            throw new SQLException("no column " + column);
        }
        Object value = columns.get(column);
        wasNull = value == null;
        return value;
    }

    private static SQLException unsupported() {
        return new SQLFeatureNotSupportedException("not used by the row mapper");
    }

    @Override
    public boolean absolute(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public void afterLast() throws SQLException {
        throw unsupported();
    }

    @Override
    public void beforeFirst() throws SQLException {
        throw unsupported();
    }

    @Override
    public void cancelRowUpdates() throws SQLException {
        throw unsupported();
    }

    @Override
    public void clearWarnings() throws SQLException {
        throw unsupported();
    }

    @Override
    public void close() throws SQLException {
        throw unsupported();
    }

    @Override
    public void deleteRow() throws SQLException {
        throw unsupported();
    }

    @Override
    public int findColumn(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean first() throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Array getArray(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Array getArray(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.io.InputStream getAsciiStream(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.io.InputStream getAsciiStream(int a0) throws SQLException {
        throw unsupported();
    }

    @Deprecated
    @SuppressWarnings("deprecation")
    @Override
    public java.math.BigDecimal getBigDecimal(String a0, int a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.math.BigDecimal getBigDecimal(String a0) throws SQLException {
        throw unsupported();
    }

    @Deprecated
    @SuppressWarnings("deprecation")
    @Override
    public java.math.BigDecimal getBigDecimal(int a0, int a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.math.BigDecimal getBigDecimal(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.io.InputStream getBinaryStream(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.io.InputStream getBinaryStream(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Blob getBlob(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Blob getBlob(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean getBoolean(String a0) throws SQLException {
        Object value = read(a0);
        return value != null && (Boolean) value;
    }

    @Override
    public boolean getBoolean(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public byte getByte(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public byte getByte(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public byte[] getBytes(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public byte[] getBytes(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.io.Reader getCharacterStream(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.io.Reader getCharacterStream(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Clob getClob(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Clob getClob(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public int getConcurrency() throws SQLException {
        throw unsupported();
    }

    @Override
    public String getCursorName() throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Date getDate(String a0, java.util.Calendar a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Date getDate(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Date getDate(int a0, java.util.Calendar a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Date getDate(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public double getDouble(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public double getDouble(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public int getFetchDirection() throws SQLException {
        throw unsupported();
    }

    @Override
    public int getFetchSize() throws SQLException {
        throw unsupported();
    }

    @Override
    public float getFloat(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public float getFloat(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public int getHoldability() throws SQLException {
        throw unsupported();
    }

    @Override
    public int getInt(String a0) throws SQLException {
        Object value = read(a0);
        return value == null ? 0 : ((Number) value).intValue();
    }

    @Override
    public int getInt(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public long getLong(String a0) throws SQLException {
        Object value = read(a0);
        return value == null ? 0 : ((Number) value).longValue();
    }

    @Override
    public long getLong(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.ResultSetMetaData getMetaData() throws SQLException {
        throw unsupported();
    }

    @Override
    public java.io.Reader getNCharacterStream(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.io.Reader getNCharacterStream(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.NClob getNClob(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.NClob getNClob(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public String getNString(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public String getNString(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public <T> T getObject(String a0, Class<T> a1) throws SQLException {
        return a1.cast(read(a0));
    }

    @Override
    public Object getObject(String a0, java.util.Map<String, Class<?>> a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public Object getObject(String a0) throws SQLException {
        return read(a0);
    }

    @Override
    public <T> T getObject(int a0, Class<T> a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public Object getObject(int a0, java.util.Map<String, Class<?>> a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public Object getObject(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Ref getRef(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Ref getRef(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public int getRow() throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.RowId getRowId(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.RowId getRowId(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.SQLXML getSQLXML(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.SQLXML getSQLXML(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public short getShort(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public short getShort(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Statement getStatement() throws SQLException {
        throw unsupported();
    }

    @Override
    public String getString(String a0) throws SQLException {
        return (String) read(a0);
    }

    @Override
    public String getString(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Time getTime(String a0, java.util.Calendar a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Time getTime(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Time getTime(int a0, java.util.Calendar a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Time getTime(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Timestamp getTimestamp(String a0, java.util.Calendar a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Timestamp getTimestamp(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Timestamp getTimestamp(int a0, java.util.Calendar a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.Timestamp getTimestamp(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public int getType() throws SQLException {
        throw unsupported();
    }

    @Override
    public java.net.URL getURL(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.net.URL getURL(int a0) throws SQLException {
        throw unsupported();
    }

    @Deprecated
    @SuppressWarnings("deprecation")
    @Override
    public java.io.InputStream getUnicodeStream(String a0) throws SQLException {
        throw unsupported();
    }

    @Deprecated
    @SuppressWarnings("deprecation")
    @Override
    public java.io.InputStream getUnicodeStream(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public java.sql.SQLWarning getWarnings() throws SQLException {
        throw unsupported();
    }

    @Override
    public void insertRow() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean isClosed() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean isFirst() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean isLast() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean isWrapperFor(Class<?> a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean last() throws SQLException {
        throw unsupported();
    }

    @Override
    public void moveToCurrentRow() throws SQLException {
        throw unsupported();
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean next() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean previous() throws SQLException {
        throw unsupported();
    }

    @Override
    public void refreshRow() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean relative(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean rowDeleted() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean rowInserted() throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean rowUpdated() throws SQLException {
        throw unsupported();
    }

    @Override
    public void setFetchDirection(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public void setFetchSize(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public <T> T unwrap(Class<T> a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateArray(String a0, java.sql.Array a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateArray(int a0, java.sql.Array a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateAsciiStream(String a0, java.io.InputStream a1, int a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateAsciiStream(String a0, java.io.InputStream a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateAsciiStream(String a0, java.io.InputStream a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateAsciiStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateAsciiStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateAsciiStream(int a0, java.io.InputStream a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBigDecimal(String a0, java.math.BigDecimal a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBigDecimal(int a0, java.math.BigDecimal a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBinaryStream(String a0, java.io.InputStream a1, int a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBinaryStream(String a0, java.io.InputStream a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBinaryStream(String a0, java.io.InputStream a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBinaryStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBinaryStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBinaryStream(int a0, java.io.InputStream a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBlob(String a0, java.io.InputStream a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBlob(String a0, java.io.InputStream a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBlob(String a0, java.sql.Blob a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBlob(int a0, java.io.InputStream a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBlob(int a0, java.io.InputStream a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBlob(int a0, java.sql.Blob a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBoolean(String a0, boolean a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBoolean(int a0, boolean a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateByte(String a0, byte a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateByte(int a0, byte a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBytes(String a0, byte[] a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateBytes(int a0, byte[] a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateCharacterStream(String a0, java.io.Reader a1, int a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateCharacterStream(String a0, java.io.Reader a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateCharacterStream(String a0, java.io.Reader a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateCharacterStream(int a0, java.io.Reader a1, int a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateCharacterStream(int a0, java.io.Reader a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateClob(String a0, java.io.Reader a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateClob(String a0, java.io.Reader a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateClob(String a0, java.sql.Clob a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateClob(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateClob(int a0, java.io.Reader a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateClob(int a0, java.sql.Clob a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateDate(String a0, java.sql.Date a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateDate(int a0, java.sql.Date a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateDouble(String a0, double a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateDouble(int a0, double a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateFloat(String a0, float a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateFloat(int a0, float a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateInt(String a0, int a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateInt(int a0, int a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateLong(String a0, long a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateLong(int a0, long a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNCharacterStream(String a0, java.io.Reader a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNCharacterStream(String a0, java.io.Reader a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNCharacterStream(int a0, java.io.Reader a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNClob(String a0, java.io.Reader a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNClob(String a0, java.io.Reader a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNClob(String a0, java.sql.NClob a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNClob(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNClob(int a0, java.io.Reader a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNClob(int a0, java.sql.NClob a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNString(String a0, String a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNString(int a0, String a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNull(String a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateNull(int a0) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateObject(String a0, Object a1, int a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateObject(String a0, Object a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateObject(int a0, Object a1, int a2) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateObject(int a0, Object a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateRef(String a0, java.sql.Ref a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateRef(int a0, java.sql.Ref a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateRow() throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateRowId(String a0, java.sql.RowId a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateRowId(int a0, java.sql.RowId a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateSQLXML(String a0, java.sql.SQLXML a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateSQLXML(int a0, java.sql.SQLXML a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateShort(String a0, short a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateShort(int a0, short a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateString(String a0, String a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateString(int a0, String a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateTime(String a0, java.sql.Time a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateTime(int a0, java.sql.Time a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateTimestamp(String a0, java.sql.Timestamp a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public void updateTimestamp(int a0, java.sql.Timestamp a1) throws SQLException {
        throw unsupported();
    }

    @Override
    public boolean wasNull() {
        return wasNull;
    }
}
