// Serialisers for the few messages Vigil itself writes, in either direction. Everything else on
// the wire is forwarded as received.

/** A typed message: code, then the length (which counts itself), then the body. */
export function message(code: string, ...parts: readonly Buffer[]): Buffer {
  const bodyLength = parts.reduce((n, p) => n + p.length, 0);
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeUInt32BE(bodyLength + 4, 1);
  return Buffer.concat([head, ...parts], bodyLength + 5);
}

export function cstring(value: string): Buffer {
  return Buffer.from(`${value}\u0000`, 'utf8');
}

export function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

export const AUTH = { ok: 0, cleartext: 3, md5: 5, sasl: 10, saslContinue: 11, saslFinal: 12 } as const;

export function authenticationRequest(kind: number): Buffer {
  return message('R', int32(kind));
}

export function readyForQuery(status: string): Buffer {
  return message('Z', Buffer.from(status, 'latin1'));
}

export function backendKeyData(pid: number, secret: Buffer): Buffer {
  return message('K', int32(pid), secret);
}

/**
 * NegotiateProtocolVersion: the client asked for a newer minor version, or for protocol options
 * (`_pq_.name`); Vigil speaks 3.0 and knows none of them.
 */
export function negotiateProtocolVersion(options: readonly string[]): Buffer {
  return message('v', int32(0x0003_0000), int32(options.length), ...options.map(cstring));
}

export function parameterStatus(name: string, value: string): Buffer {
  return message('S', cstring(name), cstring(value));
}

export interface ErrorFields {
  readonly severity: 'ERROR' | 'FATAL';
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

export function errorResponse(fields: ErrorFields): Buffer {
  return message('E', ...responseFields(fields));
}

/** A NoticeResponse: shown by psql at once, allowed at any point between messages. */
export function noticeResponse(fields: Omit<ErrorFields, 'severity'>): Buffer {
  return message('N', ...responseFields({ ...fields, severity: 'NOTICE' }));
}

function responseFields(fields: Omit<ErrorFields, 'severity'> & { severity: string }): Buffer[] {
  const parts = [
    Buffer.from('S'),
    cstring(fields.severity),
    Buffer.from('V'),
    cstring(fields.severity),
    Buffer.from('C'),
    cstring(fields.code),
    Buffer.from('M'),
    cstring(fields.message),
  ];
  if (fields.detail) parts.push(Buffer.from('D'), cstring(fields.detail));
  if (fields.hint) parts.push(Buffer.from('H'), cstring(fields.hint));
  parts.push(Buffer.from([0]));
  return parts;
}

// Frontend messages Vigil sends to the upstream.

/** A startup-phase message: no type byte. */
export function untyped(...parts: readonly Buffer[]): Buffer {
  const bodyLength = parts.reduce((n, p) => n + p.length, 0);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(bodyLength + 4);
  return Buffer.concat([head, ...parts], bodyLength + 4);
}

export function startupMessage(params: Readonly<Record<string, string>>): Buffer {
  const parts = [int32(196608)];
  for (const [k, v] of Object.entries(params)) parts.push(cstring(k), cstring(v));
  parts.push(Buffer.from([0]));
  return untyped(...parts);
}

export function sslRequest(): Buffer {
  return untyped(int32(80877103));
}

export function cancelRequest(pid: number, secret: Buffer): Buffer {
  return untyped(int32(80877102), int32(pid), secret);
}

export function passwordMessage(password: string): Buffer {
  return message('p', cstring(password));
}

export function saslInitialResponse(mechanism: string, data: string): Buffer {
  const bytes = Buffer.from(data, 'utf8');
  return message('p', cstring(mechanism), int32(bytes.length), bytes);
}

export function saslResponse(data: string): Buffer {
  return message('p', Buffer.from(data, 'utf8'));
}

export function terminate(): Buffer {
  return message('X');
}

/** CopyFail: the server fails the copy in progress with `reason`, and nothing of it lands. */
export function copyFail(reason: string): Buffer {
  return message('f', cstring(reason));
}

export function flush(): Buffer {
  return message('H');
}

export function query(text: string): Buffer {
  return message('Q', cstring(text));
}

export function parse(name: string, text: string): Buffer {
  return message('P', cstring(name), cstring(text), Buffer.from([0, 0]));
}
