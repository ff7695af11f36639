import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { ClientInfo, Connection } from 'ssh2';
import type { ModuleContext, ModuleSession } from '../../pipeline/module-context.js';
import { serveClient } from './client-connection.js';
import type { SshConnectionConfig } from './config.js';
import type { HostKeyPins } from './host-key-pins.js';

/** An admission the test lets through when it chooses. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function fakeSession(ended: string[]): ModuleSession {
  return {
    id: 's',
    touch: () => undefined,
    onCut: () => () => undefined,
    observe: async () => null,
    refuse: async () => undefined,
    end: async (reason: string) => {
      ended.push(reason);
    },
  } as unknown as ModuleSession;
}

/** An ssh2 auth context as the server hands it out: accept and reject are counted. */
function authContext(method: string, extra: Record<string, unknown> = {}) {
  const ctx = Object.assign(new EventEmitter(), {
    method,
    username: 'alice',
    decided: [] as string[],
    answer: null as ((answers: string[]) => void) | null,
    accept() {
      ctx.decided.push('accept');
    },
    reject() {
      ctx.decided.push('reject');
    },
    prompt(_prompts: unknown, _title: string, _instructions: string, cb: (answers: string[]) => void) {
      ctx.answer = cb;
    },
    ...extra,
  });
  return ctx;
}

test('a request that comes while a keyboard-interactive answer is admitted starts no second session', async () => {
  const client = Object.assign(new EventEmitter(), { end: () => undefined }) as unknown as Connection;
  const admissions = [deferred<ModuleSession>(), deferred<ModuleSession>()];
  let asked = 0;
  const ended: string[] = [];
  const ctx = {
    logger: { warn: () => undefined, info: () => undefined, debug: () => undefined },
    knowsPublicKey: () => false,
    credential: () => null,
    admit: () => admissions[asked++]!.promise,
  } as unknown as ModuleContext;
  const config = {
    name: 'box',
    upstream: '127.0.0.1:1',
    user: 'u',
    allow_agent_forwarding: false,
    allow_x11_forwarding: false,
    allow_port_forwarding: false,
  } as unknown as SshConnectionConfig;
  const info = { ip: '127.0.0.1', header: { versions: { software: 'test' } } } as unknown as ClientInfo;
  serveClient(client, info, { config, ctx, pins: {} as HostKeyPins });

  const keyboard = authContext('keyboard-interactive');
  client.emit('authentication', keyboard);
  keyboard.answer!(['token']);
  // The client sends a password request before Vigil answered: ssh2 abandons the first (RFC 4252).
  keyboard.emit('abort');
  const password = authContext('password', { password: 'token' });
  client.emit('authentication', password);
  for (const admission of admissions) admission.resolve(fakeSession(ended));
  await new Promise((resolve) => setImmediate(resolve));

  assert.ok(
    client.listenerCount('session') <= 1,
    `${client.listenerCount('session')} sessions serve one connection`,
  );
  // The abandoned answer's session, if admitted, is ended rather than left started.
  assert.deepEqual(keyboard.decided, []);
  if (client.listenerCount('session') === 0) assert.deepEqual(ended, ['closed']);
});
