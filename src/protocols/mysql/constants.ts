// Numbers of the MySQL client/server protocol that this module reads or writes: capability and
// status flags, command bytes, column types. Names follow the MySQL source (include/mysql_com.h).

export const CAP = {
  LONG_PASSWORD: 0x1,
  FOUND_ROWS: 0x2,
  LONG_FLAG: 0x4,
  CONNECT_WITH_DB: 0x8,
  NO_SCHEMA: 0x10,
  COMPRESS: 0x20,
  ODBC: 0x40,
  LOCAL_FILES: 0x80,
  IGNORE_SPACE: 0x100,
  PROTOCOL_41: 0x200,
  INTERACTIVE: 0x400,
  SSL: 0x800,
  IGNORE_SIGPIPE: 0x1000,
  TRANSACTIONS: 0x2000,
  RESERVED: 0x4000,
  SECURE_CONNECTION: 0x8000,
  MULTI_STATEMENTS: 0x1_0000,
  MULTI_RESULTS: 0x2_0000,
  PS_MULTI_RESULTS: 0x4_0000,
  PLUGIN_AUTH: 0x8_0000,
  CONNECT_ATTRS: 0x10_0000,
  PLUGIN_AUTH_LENENC_DATA: 0x20_0000,
  CAN_HANDLE_EXPIRED_PASSWORDS: 0x40_0000,
  SESSION_TRACK: 0x80_0000,
  DEPRECATE_EOF: 0x100_0000,
  OPTIONAL_RESULTSET_METADATA: 0x200_0000,
  ZSTD_COMPRESSION: 0x400_0000,
  QUERY_ATTRIBUTES: 0x800_0000,
} as const;

/**
 * Capabilities Vigil can relay: the client gets the intersection of these with the upstream's.
 * Left out, so that no client can ask for them: COMPRESS and ZSTD_COMPRESSION (Vigil reads every
 * packet), SESSION_TRACK, OPTIONAL_RESULTSET_METADATA and QUERY_ATTRIBUTES (they change packet
 * layouts Vigil would have to follow), CONNECT_ATTRS (the client's attributes are not forwarded).
 * LOCAL_FILES and SSL are added per connection.
 */
export const RELAYABLE_CAPS =
  CAP.LONG_PASSWORD |
  CAP.FOUND_ROWS |
  CAP.LONG_FLAG |
  CAP.CONNECT_WITH_DB |
  CAP.NO_SCHEMA |
  CAP.ODBC |
  CAP.IGNORE_SPACE |
  CAP.PROTOCOL_41 |
  CAP.INTERACTIVE |
  CAP.IGNORE_SIGPIPE |
  CAP.TRANSACTIONS |
  CAP.RESERVED |
  CAP.SECURE_CONNECTION |
  CAP.MULTI_STATEMENTS |
  CAP.MULTI_RESULTS |
  CAP.PS_MULTI_RESULTS |
  CAP.PLUGIN_AUTH |
  CAP.PLUGIN_AUTH_LENENC_DATA |
  CAP.DEPRECATE_EOF;

/**
 * MariaDB's extended capabilities (the upper 32 bits). Vigil relays only EXTENDED_METADATA (a
 * column's extended type, such as json or uuid, so clients decode it as they would directly).
 * PROGRESS would interleave progress packets with results, STMT_BULK_OPERATIONS adds a command
 * (COM_STMT_BULK_EXECUTE) and CACHE_METADATA lets results omit the column definitions Vigil reads.
 */
export const MARIADB_CAP = { EXTENDED_METADATA: 0x8 } as const;
export const RELAYABLE_MARIADB_CAPS = MARIADB_CAP.EXTENDED_METADATA;

/** Capabilities a client must have: Vigil speaks only the 4.1 protocol with plugin authentication. */
export const REQUIRED_CLIENT_CAPS = CAP.PROTOCOL_41 | CAP.SECURE_CONNECTION | CAP.PLUGIN_AUTH;

export const STATUS = {
  IN_TRANS: 0x1,
  AUTOCOMMIT: 0x2,
  MORE_RESULTS_EXISTS: 0x8,
  CURSOR_EXISTS: 0x40,
  NO_BACKSLASH_ESCAPES: 0x200,
} as const;

export const COM = {
  SLEEP: 0x00,
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  STATISTICS: 0x09,
  PING: 0x0e,
  CHANGE_USER: 0x11,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  RESET_CONNECTION: 0x1f,
} as const;

/** Column and parameter types (enum_field_types). */
export const TYPE = {
  DECIMAL: 0x00,
  TINY: 0x01,
  SHORT: 0x02,
  LONG: 0x03,
  FLOAT: 0x04,
  DOUBLE: 0x05,
  NULL: 0x06,
  TIMESTAMP: 0x07,
  LONGLONG: 0x08,
  INT24: 0x09,
  DATE: 0x0a,
  TIME: 0x0b,
  DATETIME: 0x0c,
  YEAR: 0x0d,
  NEWDATE: 0x0e,
  VARCHAR: 0x0f,
  BIT: 0x10,
  TIMESTAMP2: 0x11,
  DATETIME2: 0x12,
  TIME2: 0x13,
  JSON: 0xf5,
  NEWDECIMAL: 0xf6,
  ENUM: 0xf7,
  SET: 0xf8,
  TINY_BLOB: 0xf9,
  MEDIUM_BLOB: 0xfa,
  LONG_BLOB: 0xfb,
  BLOB: 0xfc,
  VAR_STRING: 0xfd,
  STRING: 0xfe,
  GEOMETRY: 0xff,
} as const;

/** The binary collation: values of columns in it are bytes, recorded as hex. */
export const BINARY_CHARSET = 63;

/** The largest payload of one physical packet; a logical packet this long continues in the next. */
export const MAX_PACKET_PAYLOAD = 0xff_ffff;

export const PLUGIN = {
  cachingSha2: 'caching_sha2_password',
  native: 'mysql_native_password',
  clear: 'mysql_clear_password',
} as const;
