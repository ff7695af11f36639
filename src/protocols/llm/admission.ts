// What a model request asks of admission: who it is from (the Vigil token in whichever header the
// client's SDK uses for its key), what session.start and a refusal record, and which session it
// joins (docs/architecture.md: an explicit x-vigil-session header, else the W3C traceparent's trace
// id, else the identity + connection until idle).
import type { IncomingMessage } from 'node:http';
import type { Identity } from '../../core/events.js';
import { extractClientToken } from '../../http/credentials.js';
import type { AdmissionRequest } from '../../pipeline/module-context.js';
import {
  parseTraceparent,
  sessionFacts,
  sessionKey,
  validExplicitSession,
} from '../../pipeline/session-key.js';
import type { LlmConnectionConfig } from './config.js';

export function admissionRequest(
  req: IncomingMessage,
  connection: LlmConnectionConfig,
  method: string,
  path: string,
): AdmissionRequest {
  const explicit = validExplicitSession(header(req, 'x-vigil-session'));
  const trace = parseTraceparent(header(req, 'traceparent'));
  // external_session and trace_id depend only on the headers, so they are known before the identity.
  const { external, traceId } = sessionFacts(explicit, trace);
  return {
    connection,
    protocol: connection.type,
    credential: extractClientToken(req.headers),
    facts: {
      client: req.socket.remoteAddress ?? null,
      user_agent: header(req, 'user-agent') ?? null,
      external_session: external,
      trace_id: traceId,
    },
    refusalFacts: { method, path },
    sessionKey: (identity: Identity, grantId: string | null) => {
      const { key } = sessionKey(identity, connection.name, explicit, trace);
      // A session admitted by a grant ends with it, so it is not shared with requests admitted otherwise.
      return grantId === null ? key : `${key}\u0000${grantId}`;
    },
  };
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
