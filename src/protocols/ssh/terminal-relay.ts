// Relays one running shell or command between the user's channel and the host's. Output goes to
// the user at once and is recorded as asciicast chunks (terminal-recorder.ts). Input on a terminal
// (a pty) passes through the interactive line guard (line-guard.ts), which holds each Enter until
// the line is judged; input without a terminal (a pipe into a remote command) is relayed as is and
// recorded by size and SHA-256, as is output beyond the recording cap.
import { createHash } from 'node:crypto';
import type { ClientChannel, ServerChannel } from 'ssh2';
import { toVigilError } from '../../core/errors.js';
import type { ConnectionState } from './connection-state.js';
import { LineGuard } from './line-guard.js';
import { OrderedPump } from './ordered-pump.js';
import type { ScpStream } from './scp-stream.js';
import { ScreenLine } from './screen-line.js';
import { TerminalRecorder } from './terminal-recorder.js';
import { terminalNotice } from './wire-errors.js';

export interface TerminalRelayOptions {
  readonly state: ConnectionState;
  readonly channelId: number;
  readonly client: ServerChannel;
  readonly upstream: ClientChannel;
  readonly terminal: boolean;
  /** A legacy scp transfer on this channel: its file stream is read to record each file. */
  readonly scp: ScpStream | null;
}

export function relayTerminal(options: TerminalRelayOptions): { resize(cols: number, rows: number): void } {
  const { state, channelId, client, upstream, terminal, scp } = options;
  const recorder = new TerminalRecorder({
    channel: channelId,
    startedAt: state.startedAt,
    chunkBytes: state.config.output_chunk_bytes,
    chunkMs: state.config.output_chunk_time,
    record: (payload) => state.record('ssh.output', payload),
  });
  const screen = terminal ? new ScreenLine() : null;
  // Past this, output is recorded only by its size and digest (in ssh.exit).
  const recordedBytes = terminal
    ? state.config.record_terminal_output_bytes
    : state.config.record_command_output_bytes;
  const outputDigest = createHash('sha256');
  const inputDigest = createHash('sha256');
  let inputBytes = 0;
  let exit: { code: number | null; signal: string | null; dump: boolean; description: string } | null = null;
  let guard: LineGuard | null = null;

  const output = (chunk: Buffer, toStderr: boolean) => {
    outputDigest.update(chunk);
    // The file bytes of a legacy scp download are its own record (ssh.file), not terminal output.
    if (scp?.direction === 'download' && !toStderr) scp.push(chunk);
    else if (recorder.offset < recordedBytes) recorder.push(chunk);
    else recorder.offset += chunk.length;
    if (screen) {
      screen.write(chunk.toString('utf8'));
      guard?.outputArrived();
    }
    const sink = toStderr ? client.stderr : client;
    if (!sink.write(chunk)) {
      upstream.pause();
      sink.once('drain', () => upstream.resume());
    }
  };
  upstream.on('data', (chunk: Buffer) => output(chunk, false));
  upstream.stderr.on('data', (chunk: Buffer) => output(chunk, true));
  upstream.on('exit', (code: number | null, signal?: string, dump?: boolean, description?: string) => {
    exit = { code, signal: signal ?? null, dump: dump === true, description: description ?? '' };
  });

  let finished = false;
  const finish = (notice: string | null) => {
    if (finished) return;
    finished = true;
    pump.stop();
    guard?.close();
    recorder.close();
    scp?.close();
    state.record('ssh.exit', {
      channel: channelId,
      exit_status: exit?.code ?? null,
      signal: exit?.signal ?? null,
      output_bytes: recorder.offset,
      output_sha256: outputDigest.digest('hex'),
      ...(terminal ? {} : { input_bytes: inputBytes, input_sha256: inputDigest.digest('hex') }),
      ...(notice ? { ended_by: notice } : {}),
    });
    if (notice && client.writable) {
      if (terminal) client.write(terminalNotice(notice));
      else client.stderr.write(`${notice}\n`);
    }
    if (client.writable) {
      if (exit?.code !== null && exit?.code !== undefined) client.exit(exit.code);
      else if (exit?.signal) client.exit(exit.signal, exit.dump, exit.description);
      client.end();
    }
    upstream.close();
  };
  upstream.on('close', () => finish(null));
  upstream.on('error', () => finish(null));
  client.on('close', () => finish(null));
  state.onEnd((message) => finish(message));

  const write = (chunk: Buffer): Promise<void> | undefined => {
    if (upstream.write(chunk)) return undefined;
    return new Promise((resolve) => upstream.once('drain', () => resolve()));
  };
  const fail = (err: unknown) => {
    const error = toVigilError(err, 'protocol_violation');
    state.logger.warn(
      { session: state.session.id, code: error.code, err: error.message },
      'ssh channel failed',
    );
    finish(`vigil: ${error.code}: ${error.message}`);
  };
  if (terminal && screen) {
    guard = new LineGuard({ state, channelId, recorder, screen, client, write });
  }
  const pump = new OrderedPump(
    client,
    (chunk) => {
      if (guard) return guard.typed(chunk);
      inputBytes += chunk.length;
      inputDigest.update(chunk);
      if (scp?.direction === 'upload') scp.push(chunk);
      return write(chunk);
    },
    fail,
  );
  // The user's EOF (end of a piped stdin) passes on once everything before it has.
  client.on('end', () => pump.end(() => upstream.end()));

  let pendingSize: { cols: number; rows: number } | null = null;
  let resizeTimer: NodeJS.Timeout | null = null;
  return {
    // A storm of window changes reaches the host as at most one change per 50 ms, the last one winning.
    resize(cols, rows) {
      pendingSize = { cols, rows };
      if (resizeTimer) return;
      resizeTimer = setTimeout(() => {
        resizeTimer = null;
        if (!pendingSize || finished) return;
        upstream.setWindow(pendingSize.rows, pendingSize.cols, 0, 0);
        recorder.resize(pendingSize.cols, pendingSize.rows);
        pendingSize = null;
      }, 50);
      resizeTimer.unref();
    },
  };
}
