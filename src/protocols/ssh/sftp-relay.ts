// Relays the sftp subsystem packet for packet (so every client works, scp over sftp included) while
// reading it. Requests that change or open a file (OPEN, REMOVE, RENAME, MKDIR, RMDIR, SETSTAT,
// FSETSTAT, SYMLINK, and OpenSSH's posix-rename, hardlink and lsetstat extensions) are submitted as
// ssh.file actions before they reach the host, judged where their paths lead there through any link
// (sftp-resolve.ts: Vigil asks the host first) and allowed only when every reading of every path is
// (file-judging.ts); a refused one is answered with a PERMISSION_DENIED status in the host's place.
// Looks at a path (STAT, LSTAT, OPENDIR, READLINK, REALPATH) are judged the same way but, changing
// nothing, recorded after they pass rather than ahead. An extended request Vigil does not know, or a request type outside
// version 3, is refused (it cannot tell what the host would do), as is FSETSTAT on a handle it did not see opened. Written and read bytes are hashed per handle,
// and when the host confirms a CLOSE, the transfer is recorded: path, direction, size, SHA-256
// (none for a file copy-data touched: its bytes moved on the host). Replies are matched to
// requests by id, so a client that reuses an id still awaiting its reply has its channel closed.
import { posix } from 'node:path';
import type { ClientChannel, ServerChannel } from 'ssh2';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { ConnectionState } from './connection-state.js';
import { contentsField, FileDigest } from './file-digest.js';
import { strictestReading, submitFileAction } from './file-judging.js';
import { OrderedPump } from './ordered-pump.js';
import {
  parseReply,
  parseRequest,
  SFTP,
  SFTP_OPEN_CHANGES,
  SFTP_STATUS_OP_UNSUPPORTED,
  SFTP_STATUS_PERMISSION_DENIED,
  SftpFramer,
  type SftpRequest,
  statusPacket,
} from './sftp-packets.js';
import { SftpPathResolver } from './sftp-resolve.js';

/** OpenSSH sends packets of at most 256 KiB; a little more is allowed, never without bound. */
const MAX_PACKET_BYTES = 1024 * 1024;

interface OpenFile {
  readonly path: string;
  /** Where the path led on the host when opened (sftp-resolve.ts), when that differs. */
  readonly resolved?: string;
  readonly operation: 'upload' | 'download';
  readonly digest: FileDigest;
}

export function relaySftp(
  state: ConnectionState,
  channelId: number,
  client: ServerChannel,
  upstream: ClientChannel,
): void {
  const requests = new SftpFramer(MAX_PACKET_BYTES);
  const replies = new SftpFramer(MAX_PACKET_BYTES);
  const opening = new Map<number, { path: string; resolved?: string; operation: 'upload' | 'download' }>();
  const files = new Map<string, OpenFile>();
  const reading = new Map<number, { handle: string; offset: number }>();
  const closing = new Map<number, string>();

  const done = (file: OpenFile, incomplete: string | null) => {
    const digest = file.digest.finish();
    state.record('ssh.file', {
      channel: channelId,
      via: 'sftp',
      phase: 'done',
      operation: file.operation,
      path: file.path,
      ...(file.resolved === undefined ? {} : { resolved_path: file.resolved }),
      size: digest.size,
      sha256: incomplete ? null : digest.sha256,
      ...((incomplete ?? digest.incomplete) ? { incomplete: incomplete ?? digest.incomplete } : {}),
      ...(incomplete ? {} : contentsField(file.digest.contents())),
    });
  };

  const send = (packet: Buffer): Promise<void> | undefined => {
    if (upstream.write(packet)) return undefined;
    return new Promise((resolve) => upstream.once('drain', () => resolve()));
  };
  const resolver = new SftpPathResolver(send);
  const forward = (request: SftpRequest, packet: Buffer) => {
    resolver.sent(request.id);
    return send(packet);
  };

  /**
   * The payload with where its paths lead on the host (sftp-resolve.ts): `resolved_path` and
   * `resolved_target`, given when they differ from the written ones. Throws when that cannot be told.
   */
  const resolving = async (payload: JsonObject, follows: boolean): Promise<JsonObject> => {
    const path = payload.path as string;
    const target = typeof payload.target === 'string' ? payload.target : null;
    const out: JsonObject = { ...payload };
    // A symbolic link's content is resolved by the host from the link's directory.
    const linked =
      payload.operation === 'symlink' && target !== null && !path.startsWith('/')
        ? `${posix.dirname(target)}/${path}`
        : path;
    // Both asked at once: one round trip to the host.
    const [resolved, resolvedTarget] = await Promise.all([
      resolver.resolve(linked, follows || payload.operation === 'symlink'),
      target === null ? null : resolver.resolve(target, false),
    ]);
    if (resolved !== null && resolved !== path) out.resolved_path = resolved;
    if (resolvedTarget !== null && resolvedTarget !== target) out.resolved_target = resolvedTarget;
    return out;
  };

  const judge = async (
    request: SftpRequest & { id: number },
    written: JsonObject,
    packet: Buffer,
    follows: boolean,
  ) => {
    let payload: JsonObject;
    try {
      payload = await resolving(written, follows);
    } catch (err) {
      const status = SFTP_STATUS_PERMISSION_DENIED;
      return refuseUnjudged(request.id, written, toVigilError(err), status);
    }
    return judgeResolved(request, payload, packet);
  };

  const judgeResolved = async (
    request: SftpRequest & { id: number },
    payload: JsonObject,
    packet: Buffer,
  ) => {
    try {
      await submitFileAction(state.session, payload, { signal: state.signal });
    } catch (err) {
      const error = toVigilError(err);
      client.write(
        statusPacket(request.id, SFTP_STATUS_PERMISSION_DENIED, `vigil: ${error.code}: ${error.message}`),
      );
      return;
    }
    if (request.type === SFTP.OPEN) {
      const resolved = typeof payload.resolved_path === 'string' ? payload.resolved_path : undefined;
      const operation = payload.operation as 'upload' | 'download';
      opening.set(request.id, { path: request.path, operation, ...(resolved ? { resolved } : {}) });
    }
    await forward(request, packet);
  };

  /**
   * A look at a path (STAT, LSTAT, OPENDIR, READLINK, REALPATH) changes nothing and moves no file
   * contents, so it is not written ahead nor held: judged where it leads (every reading, as for a
   * change), refused when policy denies it, and recorded after it is passed on. The sftp client
   * stats a path before most transfers; a refused stat reads to it as "not found", and the transfer
   * that follows is judged on its own.
   */
  const look = async (
    request: SftpRequest & { id: number },
    written: JsonObject,
    packet: Buffer,
    follows: boolean,
  ) => {
    let resolved: JsonObject;
    try {
      resolved = await resolving(written, follows);
    } catch (err) {
      return refuseUnjudged(request.id, written, toVigilError(err), SFTP_STATUS_PERMISSION_DENIED);
    }
    const { payload, decision } = strictestReading(state.session, resolved);
    if (decision.action === 'deny') {
      const error = new VigilError('policy_denied', `denied by rule ${decision.rule}: ${decision.reason}`, {
        details: { rule: decision.rule },
      });
      return refuseUnjudged(request.id, payload, error, SFTP_STATUS_PERMISSION_DENIED);
    }
    state.record('ssh.file', payload);
    await forward(request, packet);
  };

  /** Answers a request Vigil cannot judge in the host's place, and records the refusal. */
  const refuseUnjudged = async (id: number, payload: JsonObject, error: VigilError, status: number) => {
    try {
      await state.session.refuseAction('ssh.file', payload, error);
    } catch {
      // Refused all the same: the request never reaches the host.
    }
    client.write(statusPacket(id, status, `vigil: ${error.code}: ${error.message}`));
  };

  const drain = (): Promise<void> | undefined => {
    for (let packet = requests.next(); packet !== null; packet = requests.next()) {
      const request = parseRequest(packet);
      // Replies are matched to requests by id: one reused while Vigil awaits its reply would have
      // the host's handle or data counted for the other request (a file recorded with another's bytes).
      const id = request.id;
      if (id !== null && (opening.has(id) || reading.has(id) || closing.has(id))) {
        throw new VigilError('protocol_violation', `SFTP request id ${id} reused before its reply`);
      }
      switch (request.type) {
        case SFTP.OPEN: {
          const operation = request.flags & SFTP_OPEN_CHANGES ? 'upload' : 'download';
          const payload = { channel: channelId, via: 'sftp', phase: 'open', operation, path: request.path };
          return judge(request, payload, packet, true).then(drain);
        }
        case 'change': {
          const payload = {
            channel: channelId,
            via: 'sftp',
            operation: request.operation,
            path: request.path,
            ...(request.target === null ? {} : { target: request.target }),
            ...(request.size == null ? {} : { sets_size: request.size }),
          };
          return judge(request, payload, packet, request.operation === 'setstat').then(drain);
        }
        case 'look': {
          // Names, sizes and link targets are judged where they lead, as reads are (docs/ssh.md).
          const payload = {
            channel: channelId,
            via: 'sftp',
            operation: request.operation,
            request: request.request,
            path: request.path,
          };
          return look(request, payload, packet, request.follows).then(drain);
        }
        case SFTP.FSETSTAT: {
          const file = files.get(request.handle);
          const payload = {
            channel: channelId,
            via: 'sftp',
            operation: 'setstat',
            path: file?.path ?? '',
            ...(file?.resolved === undefined ? {} : { resolved_path: file.resolved }),
            ...(request.size === null ? {} : { sets_size: request.size }),
          };
          if (file) return judgeResolved(request, payload, packet).then(drain);
          const error = new VigilError(
            'statement_uncertain',
            'a change by a handle Vigil did not see opened cannot be judged (use the path)',
          );
          return refuseUnjudged(request.id, payload, error, SFTP_STATUS_PERMISSION_DENIED).then(drain);
        }
        case 'unknown-request': {
          const payload = {
            channel: channelId,
            via: 'sftp',
            operation: 'request',
            path: '',
            request_type: request.code,
          };
          const error = new VigilError(
            'statement_uncertain',
            `an SFTP request of type ${request.code} cannot be judged`,
          );
          return refuseUnjudged(request.id, payload, error, SFTP_STATUS_OP_UNSUPPORTED).then(drain);
        }
        case 'unknown-extension': {
          const payload = {
            channel: channelId,
            via: 'sftp',
            operation: 'extended',
            path: '',
            extension: request.name.slice(0, 256),
          };
          const error = new VigilError(
            'statement_uncertain',
            'an SFTP extension Vigil does not know cannot be judged',
          );
          // "Unsupported" lets a client fall back to the standard request, which Vigil judges.
          return refuseUnjudged(request.id, payload, error, SFTP_STATUS_OP_UNSUPPORTED).then(drain);
        }
        case SFTP.WRITE:
          files.get(request.handle)?.digest.add(request.offset, request.data);
          break;
        case 'copy-data':
          for (const handle of [request.from, request.to]) {
            files
              .get(handle)
              ?.digest.lose('copied on the host (copy-data): its bytes never crossed the gateway');
          }
          break;
        case SFTP.READ:
          if (files.has(request.handle))
            reading.set(request.id, { handle: request.handle, offset: request.offset });
          break;
        case SFTP.CLOSE:
          if (files.has(request.handle)) closing.set(request.id, request.handle);
          break;
        default:
          break;
      }
      const sent = forward(request, packet);
      if (sent) return sent.then(drain);
    }
    return undefined;
  };

  const fail = (err: unknown) => {
    const error = toVigilError(err, 'protocol_violation');
    state.logger.warn(
      { session: state.session.id, code: error.code, err: error.message },
      'sftp channel failed',
    );
    void state.session.refuse(error, { channel: channelId, via: 'sftp' });
    finish();
  };
  const pump = new OrderedPump(
    client,
    (chunk) => {
      requests.push(chunk);
      return drain();
    },
    fail,
  );

  upstream.on('data', (chunk: Buffer) => {
    replies.push(chunk);
    let full = false;
    try {
      for (let packet = replies.next(); packet !== null; packet = replies.next()) {
        // Answers to Vigil's own REALPATH requests are Vigil's, never the client's.
        if (resolver.claims(packet)) continue;
        if (!client.write(packet)) full = true;
        follow(packet);
      }
    } catch (err) {
      fail(err);
    }
    if (full) {
      upstream.pause();
      client.once('drain', () => upstream.resume());
    }
  });

  const follow = (packet: Buffer) => {
    const reply = parseReply(packet);
    if (reply.type === 'other') return;
    const open = opening.get(reply.id);
    if (open) {
      opening.delete(reply.id);
      if (reply.type === SFTP.HANDLE) {
        files.set(reply.handle, { ...open, digest: new FileDigest(state.config.record_file_contents_bytes) });
      }
      return;
    }
    const read = reading.get(reply.id);
    if (read) {
      reading.delete(reply.id);
      if (reply.type === SFTP.DATA) files.get(read.handle)?.digest.add(read.offset, reply.data);
      return;
    }
    const handle = closing.get(reply.id);
    if (handle !== undefined) {
      closing.delete(reply.id);
      const file = files.get(handle);
      files.delete(handle);
      if (file) done(file, null);
    }
  };

  let exitStatus: number | null = null;
  upstream.on('exit', (code: number | null) => {
    exitStatus = code;
  });
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    pump.stop();
    resolver.close();
    for (const file of files.values()) done(file, 'the channel closed before the file was closed');
    files.clear();
    state.record('ssh.exit', { channel: channelId, exit_status: exitStatus, signal: null });
    if (client.writable) {
      if (exitStatus !== null) client.exit(exitStatus);
      client.end();
    }
    upstream.close();
  };
  upstream.on('close', finish);
  upstream.on('error', finish);
  client.on('close', finish);
  client.on('end', () => pump.end(() => upstream.end()));
  state.onEnd(() => finish());
}
