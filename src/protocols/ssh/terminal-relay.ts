// Relays one running shell or command between the user's channel and the host's. Output goes to
// the user at once and is recorded as asciicast chunks (terminal-recorder.ts). Input on a terminal
// (a pty) passes through the interactive line guard (line-guard.ts), which holds each Enter until
// the line is judged; input without a terminal (a pipe into a remote command) is relayed as is and
// recorded by size and SHA-256, as is output beyond the recording cap, except into a shell started
// without one, where each line is a command (stdin-commands.ts).
import { createHash } from 'node:crypto';
import type { ClientChannel, ServerChannel } from 'ssh2';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { SubmitOptions } from '../../pipeline/pipeline.js';
import type { ConnectionState } from './connection-state.js';
import { submitFileAction } from './file-judging.js';
import type { HostPaths } from './host-paths.js';
import { LineGuard } from './line-guard.js';
import { OrderedPump } from './ordered-pump.js';
import type { ScpPiece, ScpStream } from './scp-stream.js';
import { ScreenLine } from './screen-line.js';
import { SftpSniffer } from './sftp-sniff.js';
import { StdinCommands } from './stdin-commands.js';
import { TerminalRecorder } from './terminal-recorder.js';
import { REFUSED_EXIT_STATUS, refusalText, terminalNotice } from './wire-errors.js';

export interface TerminalRelayOptions {
  readonly state: ConnectionState;
  readonly channelId: number;
  readonly client: ServerChannel;
  readonly upstream: ClientChannel;
  readonly terminal: boolean;
  /** A shell (not a command) started without a terminal: its input is command lines, each judged. */
  readonly shellInput: boolean;
  /**
   * Why a command's piped input may be read as a program, not data (input-data.ts), or null: its
   * first byte of input is then refused, never passed on.
   */
  readonly inputNotData?: string | null;
  /** That shell expands history from its first line (`bash -i`): lines that rerun history are refused. */
  readonly expandsHistory?: boolean;
  /**
   * A legacy scp transfer on this channel: its file stream is read to record each file, and each
   * file or directory it opens is judged before its line passes on.
   */
  readonly scp: ScpStream | null;
  /** Asks the host where an scp file line's path leads (host-paths.ts), closed with the channel. */
  readonly hostPaths?: HostPaths | null;
  /** How a judged action waits for review: the channel's signal, and a notice to the user. */
  readonly held: SubmitOptions;
}

export function relayTerminal(options: TerminalRelayOptions): { resize(cols: number, rows: number): void } {
  const { state, channelId, client, upstream, terminal, shellInput, scp, held } = options;
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
    if (recorder.offset < recordedBytes) recorder.push(chunk);
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
  /** Each file a legacy scp transfer opens, judged before its control line passes on. */
  const judgeScp = async (operation: 'upload' | 'download', path: string) => {
    const payload: JsonObject = { channel: channelId, via: 'scp', phase: 'open', operation, path };
    // Judged where it leads on the host too, through any link on the way (host-paths.ts).
    if (options.hostPaths) {
      let resolved: string | null;
      try {
        resolved = await options.hostPaths.resolve(path);
      } catch (err) {
        const error = toVigilError(err);
        await state.session.refuseAction('ssh.file', payload, error).catch(() => undefined);
        throw error;
      }
      if (resolved !== null && resolved !== path) payload.resolved_path = resolved;
    }
    return submitFileAction(state.session, payload, held);
  };
  let download: OrderedPump | null = null;
  if (scp?.direction === 'download') {
    // The host's stream is read in order: a file's line waits while the file is judged, and the
    // file's bytes are its own record (ssh.file), not terminal output.
    download = new OrderedPump(
      upstream,
      (chunk) =>
        passScpPieces(
          scp.push(chunk),
          (path) => judgeScp('download', path),
          (bytes) => {
            outputDigest.update(bytes);
            if (client.write(bytes)) return undefined;
            return new Promise<void>((resolve) => client.once('drain', () => resolve()));
          },
        ),
      (err) => fail(err),
    );
  } else upstream.on('data', (chunk: Buffer) => output(chunk, false));
  upstream.stderr.on('data', (chunk: Buffer) => output(chunk, true));
  upstream.on('exit', (code: number | null, signal?: string, dump?: boolean, description?: string) => {
    exit = { code, signal: signal ?? null, dump: dump === true, description: description ?? '' };
  });

  let finished = false;
  /** Vigil ended the channel or refused a line on a shell's input: it exits as a refused command does. */
  let refused = false;
  const finish = (notice: string | null) => {
    if (finished) return;
    finished = true;
    pump.stop();
    // What the host sent after a file still being judged goes nowhere: the channel is done.
    download?.stop();
    guard?.close();
    recorder.close();
    scp?.close();
    options.hostPaths?.close();
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
      if (refused) client.exit(REFUSED_EXIT_STATUS);
      else if (exit?.code !== null && exit?.code !== undefined) client.exit(exit.code);
      else if (exit?.signal) client.exit(exit.signal, exit.dump, exit.description);
      client.end();
    }
    upstream.close();
  };
  upstream.on('close', () => finish(null));
  upstream.on('error', () => finish(null));
  client.on('close', () => finish(null));

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
    refused = true;
    finish(refusalText(error));
  };
  if (terminal && screen) {
    guard = new LineGuard({ state, channelId, recorder, screen, client, write });
  }
  // A line refused on a shell's input: nothing more reaches the shell, which gets EOF and ends once
  // the lines before it have run (their output still reaches the user).
  const refuseInput = (err: unknown) => {
    pump.stop();
    refused = true;
    const error = toVigilError(err, 'protocol_violation');
    if (client.writable) client.stderr.write(`${refusalText(error)}\n`);
    upstream.end();
  };
  /** Input to a program that may run it: recorded as refused (never its bytes), and the program gets EOF. */
  const refuseUnreadInput = async (why: string) => {
    const error = new VigilError(
      'statement_uncertain',
      `input piped to ${why} may be read as a program, which Vigil cannot judge; use a terminal (ssh -t) or name the program in stdin_data_programs`,
    );
    try {
      await state.session.refuseAction(
        'ssh.command',
        { channel: channelId, command: '', source: 'stdin', t: recorder.now(), offset: recorder.offset },
        error,
      );
    } catch {
      // Refused all the same: the input never reaches the host.
    }
    refuseInput(error);
  };
  const commands =
    shellInput && !terminal
      ? new StdinCommands({
          state,
          channelId,
          recorder,
          write,
          notice: (text) => client.stderr.write(`${text}\n`),
          expandsHistory: options.expandsHistory === true,
        })
      : null;
  const notData = terminal || shellInput || scp ? null : (options.inputNotData ?? null);
  const input = (chunk: Buffer): Promise<void> | undefined => {
    if (notData !== null && chunk.length > 0) return refuseUnreadInput(notData);
    inputBytes += chunk.length;
    inputDigest.update(chunk);
    if (commands) return commands.typed(chunk).catch(refuseInput);
    if (scp?.direction === 'upload') {
      return passScpPieces(scp.push(chunk), (path) => judgeScp('upload', path), write)?.catch(refuseInput);
    }
    return write(chunk);
  };
  // An SFTP session spoken to a command that is not the sftp server (sftp-sniff.ts) is not relayed unread.
  const sniffer = terminal ? null : new SftpSniffer();
  const pump = new OrderedPump(
    client,
    (chunk) => {
      if (guard) return guard.typed(chunk);
      if (sniffer?.opensSftp(chunk)) {
        refuseInput(
          new VigilError(
            'statement_uncertain',
            'an SFTP session to a command other than the sftp server cannot be judged; use the sftp subsystem',
          ),
        );
        return undefined;
      }
      return input(chunk);
    },
    fail,
  );
  // Only now that the pump exists: a connection that ended while the host opened this channel
  // closes it at once, and finish() stopped at the pump (the host's channel left open, no ssh.exit).
  state.onEnd((message) => finish(message));
  // The user's EOF (end of a piped stdin) passes on once everything before it has (and, into a
  // shell, once a last line without a newline is judged).
  client.on('end', () =>
    pump.end(() => {
      if (!commands) {
        upstream.end();
        return;
      }
      commands.end().then(() => {
        if (!finished) upstream.end();
      }, refuseInput);
    }),
  );

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

/**
 * Passes an scp stream's pieces on in order, judging each file or directory line first; at once
 * when no piece opens anything or waits, else as a promise. A piece Vigil cannot read is refused.
 */
function passScpPieces(
  pieces: readonly ScpPiece[],
  judge: (path: string) => Promise<unknown>,
  forward: (bytes: Buffer) => Promise<void> | undefined,
): Promise<void> | undefined {
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.unreadable) throw new VigilError('statement_uncertain', piece.unreadable);
    if (piece.opens !== null) return passRest(pieces, i, judge, forward);
    const waiting = forward(piece.bytes);
    if (waiting) return waiting.then(() => passRest(pieces, i + 1, judge, forward));
  }
  return undefined;
}

async function passRest(
  pieces: readonly ScpPiece[],
  from: number,
  judge: (path: string) => Promise<unknown>,
  forward: (bytes: Buffer) => Promise<void> | undefined,
): Promise<void> {
  for (const piece of pieces.slice(from)) {
    if (piece.unreadable) throw new VigilError('statement_uncertain', piece.unreadable);
    if (piece.opens !== null) await judge(piece.opens);
    await forward(piece.bytes);
  }
}
