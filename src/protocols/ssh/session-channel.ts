// One session channel opened by the user: the requests before it starts (pty, env, X11, agent),
// then a shell, a command or a subsystem. Each start is an ssh.exec action, judged and recorded
// before the host is asked to run anything: a denied command never starts, a held one starts once
// approved. The host's channel is opened with the same terminal, size and environment.
import type {
  AcceptConnection,
  ClientChannel,
  PseudoTtyInfo,
  PseudoTtyOptions,
  ServerChannel,
  Session,
  X11Options,
} from 'ssh2';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { cutForRecord } from '../../core/record-cut.js';
import { commandWrites } from './command-writes.js';
import type { ConnectionState } from './connection-state.js';
import { environmentRefusal } from './env-requests.js';
import { judgeCommandWrites } from './exec-writes.js';
import { contentsField } from './file-digest.js';
import { submitFileAction } from './file-judging.js';
import { hostPaths } from './host-paths.js';
import { inputNotData } from './input-data.js';
import { expandsHistoryAtStart, readsCommandsFromInput, readsPasswordFromInput } from './input-shells.js';
import { ScpStream, scpCommand } from './scp-stream.js';
import { relaySftp } from './sftp-relay.js';
import { runsSftpServer } from './sftp-sniff.js';
import { relaySignal } from './signal-relay.js';
import { relayTerminal } from './terminal-relay.js';
import { unreadTransfer } from './transfer-commands.js';
import { REFUSED_EXIT_STATUS, refusalText } from './wire-errors.js';

/** Environment variables a session may set (OpenSSH servers accept few; this bounds memory). */
const MAX_ENV = 64;
type Start = { kind: 'shell' } | { kind: 'exec'; command: string } | { kind: 'subsystem'; name: string };

export function serveSessionChannel(state: ConnectionState, accept: AcceptConnection<Session>): void {
  const session = accept();
  const channelId = state.nextChannel();
  let pty: PseudoTtyInfo | null = null;
  const env: Record<string, string> = {};
  let resize: ((cols: number, rows: number) => void) | null = null;
  let x11: X11Options | null = null;
  let agent = false;
  // Set at the first shell, exec or subsystem request. The requests that shape what the host runs
  // (env, pty, X11, agent) count only before it, as OpenSSH's sshd has it: one arriving while the
  // start is judged would reach the host unjudged (an env after the exec, LD_PRELOAD or BASH_ENV
  // on a host that accepts it). A second start on the same channel is a second program with no
  // channel to the user: refused, never run.
  let started = false;

  session.on('pty', (ok, no, info) => {
    if (started) return no?.();
    pty = info;
    ok?.();
  });
  session.on('env', (ok, no, info) => {
    if (started || Object.keys(env).length >= MAX_ENV) return no?.();
    env[String(info.key)] = String(info.val);
    ok?.();
  });
  session.on('window-change', (ok, _no, info) => {
    if (pty) pty = { ...pty, cols: info.cols, rows: info.rows };
    resize?.(info.cols, info.rows);
    ok?.();
  });
  session.on('signal', (ok, no, info) => {
    // Before the start (or on sftp) there is no program to signal: refused, as sshd does.
    if (!signal) return no?.();
    void signal(String(info.name)).then((sent) => (sent ? ok?.() : no?.()));
  });
  // X11 and agent forwarding are asked for on the session, before it starts, and passed on to the
  // host with it; what the host then opens back is judged channel by channel (forwarding.ts).
  session.on('x11', (ok, no, info) => {
    if (started) return no?.();
    if (!state.config.allow_x11_forwarding) {
      refuseForwarding(state, { kind: 'x11', channel: channelId });
      return no?.();
    }
    // The cookie is the user's client's own (it checks it on every X11 connection): passed on, never recorded.
    x11 = { single: info.single, screen: info.screen, protocol: info.protocol, cookie: info.cookie };
    state.record('ssh.forward', {
      kind: 'x11',
      channel: channelId,
      phase: 'requested',
      screen: info.screen,
      single: info.single,
    });
    ok?.();
  });
  session.on('auth-agent', (ok, no) => {
    if (started) return no?.();
    if (!state.config.allow_agent_forwarding) {
      refuseForwarding(state, { kind: 'agent', channel: channelId });
      return no?.();
    }
    agent = true;
    state.record('ssh.forward', { kind: 'agent', channel: channelId, phase: 'requested' });
    ok?.();
  });
  let signal: ((name: string) => Promise<boolean>) | null = null;

  const start = async (begin: Start, accepted: ServerChannel) => {
    const payload: JsonObject = {
      channel: channelId,
      ...(begin.kind === 'shell'
        ? { shell: true, command: '' }
        : begin.kind === 'exec'
          ? { command: begin.command }
          : { subsystem: begin.name, command: '' }),
      pty: pty ? { term: pty.term, cols: pty.cols, rows: pty.rows } : null,
      env: { ...env },
    };
    try {
      if (begin.kind === 'exec' && Buffer.byteLength(begin.command) > state.config.max_line_bytes) {
        const error = new VigilError(
          'message_too_large',
          `the command exceeds ${state.config.max_line_bytes} bytes`,
        );
        await state.session.refuseAction(
          'ssh.exec',
          { ...payload, command: cutForRecord(begin.command, 256), truncated: true },
          error,
        );
        throw error;
      }
      if (begin.kind === 'exec' && begin.command.includes('\0')) {
        // Hosts disagree on a NUL: OpenSSH drops the connection, others run the text before it,
        // which a pattern written for the whole text (`rm -rf /$`) does not judge.
        const error = new VigilError('statement_uncertain', 'a command with a NUL byte cannot be judged');
        await state.session.refuseAction('ssh.exec', payload, error);
        throw error;
      }
      const refusedEnv = environmentRefusal(Object.keys(env), state.config.env_allow);
      if (refusedEnv !== null) {
        const error = new VigilError('statement_uncertain', refusedEnv);
        await state.session.refuseAction('ssh.exec', payload, error);
        throw error;
      }
      // Only the exact forms are read as sftp packets or an scp stream: any other way of starting
      // those servers would pass their file operations unread (transfer-commands.ts).
      const unread =
        begin.kind === 'exec' && !runsSftpServer(begin.command) && !scpCommand(begin.command)
          ? unreadTransfer(begin.command, env)
          : null;
      if (unread !== null) {
        const error = new VigilError(
          'statement_uncertain',
          `${unread}: its files would not be judged; use the sftp subsystem, or the server alone as the command`,
        );
        await state.session.refuseAction('ssh.exec', payload, error);
        throw error;
      }
      if (
        begin.kind === 'exec' &&
        readsCommandsFromInput(begin.command) &&
        readsPasswordFromInput(begin.command)
      ) {
        const error = new VigilError(
          'statement_uncertain',
          'sudo -S reads a password from the input the shell then reads commands from: Vigil cannot tell ' +
            'which line is which (a password must not be stored, a command must be judged); use a terminal (ssh -t)',
        );
        await state.session.refuseAction('ssh.exec', payload, error);
        throw error;
      }
      // The files the command writes by its text are judged as file actions (command-writes.ts);
      // where the text cannot say which, the command is refused.
      const written =
        begin.kind === 'exec' && !runsSftpServer(begin.command) && !scpCommand(begin.command)
          ? commandWrites(begin.command)
          : { writes: [], uncertain: null };
      if (written.uncertain !== null) {
        const error = new VigilError(
          'statement_uncertain',
          `${written.uncertain}: Vigil cannot tell which file it writes, so no file rule could judge it`,
        );
        await state.session.refuseAction('ssh.exec', payload, error);
        throw error;
      }
      const held = {
        signal: state.signal,
        onHeld: (notice: { approvalId: string; rule: string; expiresAt: string }) => {
          accepted.stderr.write(
            `vigil: held for approval ${notice.approvalId} (rule ${notice.rule}); waiting until ${notice.expiresAt}\r\n`,
          );
        },
      };
      await state.session.submit('ssh.exec', payload, held);
      const scp = begin.kind === 'exec' ? scpCommand(begin.command) : null;
      // A legacy scp transfer is a file action too, judged like an sftp open: a rule on
      // `upload /etc/` must hold for `scp -O` as it does for sftp.
      if (scp?.uncertain) {
        const error = new VigilError('statement_uncertain', `${scp.uncertain} cannot be judged file by file`);
        await state.session.refuseAction(
          'ssh.file',
          { channel: channelId, via: 'scp', phase: 'open', operation: scp.direction, path: scp.target },
          error,
        );
        throw error;
      }
      const { client } = await state.upstream;
      // Where scp's paths lead on the host, through any link on the way, is asked of the host.
      const paths = scp ? hostPaths(client) : null;
      if (scp && paths) {
        const payload: JsonObject = {
          channel: channelId,
          via: 'scp',
          phase: 'open',
          operation: scp.direction,
          path: scp.target,
        };
        try {
          const resolved = await paths.resolve(scp.target);
          if (resolved !== null && resolved !== scp.target) payload.resolved_path = resolved;
        } catch (err) {
          paths.close();
          const error = toVigilError(err);
          await state.session.refuseAction('ssh.file', payload, error);
          throw error;
        }
        await submitFileAction(state.session, payload, held).catch((err: unknown) => {
          paths.close();
          throw err;
        });
      }
      await judgeCommandWrites(state, channelId, client, written.writes, held);
      const upstream = await openUpstream(client, begin, { pty, env, x11, agent });
      // `sftp -s /usr/lib/openssh/sftp-server` runs the server as a command: read and judged as sftp all the same.
      if (begin.kind === 'subsystem' || (begin.kind === 'exec' && runsSftpServer(begin.command))) {
        relaySftp(state, channelId, accepted, upstream);
        return;
      }
      signal = (name) => relaySignal(state, channelId, upstream, name);
      const shellInput =
        begin.kind === 'shell' || (begin.kind === 'exec' && !scp && readsCommandsFromInput(begin.command));
      const relay = relayTerminal({
        state,
        channelId,
        client: accepted,
        upstream,
        terminal: pty !== null,
        // A legacy scp stream is read as one (its target may be named like a shell: `scp -t /srv/sh`).
        shellInput,
        // Piped input to a program that may read it as a program, not data, is refused (input-data.ts).
        inputNotData:
          begin.kind === 'exec' && !scp && !shellInput && pty === null
            ? inputNotData(begin.command, state.config.stdin_data_programs)
            : null,
        expandsHistory: begin.kind === 'exec' && expandsHistoryAtStart(begin.command),
        held,
        hostPaths: paths,
        scp: scp
          ? new ScpStream(
              scp.direction,
              scp.target,
              ({ contents, ...file }) =>
                state.record('ssh.file', {
                  channel: channelId,
                  via: 'scp',
                  phase: 'done',
                  ...file,
                  ...contentsField(contents),
                }),
              state.config.record_file_contents_bytes,
            )
          : null,
      });
      resize = relay.resize;
    } catch (err) {
      refuse(accepted, toVigilError(err, 'upstream_failed'));
    }
  };

  const begin = (request: Start, ok: () => ServerChannel | undefined, no: (() => void) | undefined) => {
    if (started) return no?.();
    started = true;
    // ssh2 gives no channel for a start it will not take (the channel is closing).
    const accepted = ok();
    if (accepted) void start(request, accepted);
  };
  session.on('shell', (ok, no) => begin({ kind: 'shell' }, ok, no));
  session.on('exec', (ok, no, info) => begin({ kind: 'exec', command: info.command }, ok, no));
  session.on('subsystem', (ok, no, info) => {
    // Only sftp is relayed: any other subsystem is a program Vigil cannot read.
    if (info.name !== 'sftp') return no();
    begin({ kind: 'subsystem', name: info.name }, ok, no);
  });
}

function refuse(channel: ServerChannel, error: VigilError): void {
  if (!channel.writable) return;
  channel.stderr.write(`${refusalText(error)}\r\n`);
  channel.exit(REFUSED_EXIT_STATUS);
  channel.end();
}

export function refuseForwarding(state: ConnectionState, payload: JsonObject): void {
  const error = new VigilError(
    'forwarding_refused',
    `${String(payload.kind)} forwarding is not allowed on this connection`,
  );
  state.session.refuseAction('ssh.forward', payload, error).catch((err: unknown) => {
    state.logger.warn({ err: toVigilError(err).message }, 'refused forwarding not recorded');
  });
}

interface ChannelRequests {
  readonly pty: PseudoTtyInfo | null;
  readonly env: Record<string, string>;
  readonly x11: X11Options | null;
  /** Agent forwarding, which ssh2 asks the host for only with an agent configured (UserAgent). */
  readonly agent: boolean;
}

function openUpstream(
  client: import('ssh2').Client,
  begin: Start,
  requests: ChannelRequests,
): Promise<ClientChannel> {
  const { pty, env } = requests;
  const window: PseudoTtyOptions | false = pty
    ? {
        term: pty.term,
        cols: pty.cols,
        rows: pty.rows,
        width: pty.width,
        height: pty.height,
        modes: pty.modes,
      }
    : false;
  const forwards = {
    ...(requests.x11 ? { x11: requests.x11 } : {}),
    ...(requests.agent ? { agentForward: true } : {}),
  };
  return new Promise((resolve, reject) => {
    const done = (err: Error | undefined, channel: ClientChannel) => {
      if (err) reject(new VigilError('upstream_failed', `the host refused the channel: ${err.message}`));
      else resolve(channel);
    };
    if (begin.kind === 'shell') client.shell(window, { env, ...forwards }, done);
    else if (begin.kind === 'exec')
      client.exec(begin.command, { env, pty: window || undefined, ...forwards }, done);
    else client.subsys(begin.name, done);
  });
}
