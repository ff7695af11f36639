import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { ClientChannel, ServerChannel } from 'ssh2';
import type { JsonObject } from '../../core/events.js';
import type { SshConnectionConfig } from './config.js';
import type { ConnectionState } from './connection-state.js';
import { relayTerminal } from './terminal-relay.js';

/** A channel end as ssh2 gives it: a stream with a stderr, counting what is done to it. */
function channel(writable: boolean) {
  const calls: string[] = [];
  const c = Object.assign(new EventEmitter(), {
    writable,
    stderr: Object.assign(new EventEmitter(), { write: () => true }),
    write: () => true,
    pause: () => undefined,
    resume: () => undefined,
    end: () => calls.push('end'),
    close: () => calls.push('close'),
    exit: () => calls.push('exit'),
    setWindow: () => undefined,
    calls,
  });
  return c;
}

test('a channel whose connection ended while the host opened it is closed and its exit recorded', () => {
  const recorded: [string, JsonObject][] = [];
  const state = {
    session: {},
    config: {
      output_chunk_bytes: 65536,
      output_chunk_time: 200,
      record_terminal_output_bytes: 1024,
      record_command_output_bytes: 1024,
      max_line_bytes: 4096,
      echo_wait: 300,
    } as unknown as SshConnectionConfig,
    logger: { warn: () => undefined },
    upstream: Promise.resolve(),
    signal: new AbortController().signal,
    startedAt: 0,
    nextChannel: () => 0,
    record: (type: string, payload: JsonObject) => recorded.push([type, payload]),
    // The connection has ended already: a channel registering now is closed at once.
    onEnd: (close: (message: string | null) => void) => close(null),
  } as unknown as ConnectionState;
  const upstream = channel(true);
  relayTerminal({
    state,
    channelId: 3,
    client: channel(false) as unknown as ServerChannel,
    upstream: upstream as unknown as ClientChannel,
    terminal: false,
    shellInput: false,
    scp: null,
    held: {},
  });
  assert.deepEqual(upstream.calls, ['close'], "the host's channel is left open");
  assert.ok(recorded.some(([type, payload]) => type === 'ssh.exit' && payload.channel === 3));
});
