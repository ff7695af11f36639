// How the events of a remote shell read in `vigil replay --transcript`: commands with their place,
// output as text, keystrokes (or that a secret was typed), files with their digests, forwards and
// exits. Every recorded value is made inert (core/inert-text.ts). Null for events of other kinds, and for
// payloads not shaped as the SSH module writes them (other protocols may record these event types),
// which then read as generic JSON.
import type { StoredEvent } from '../core/events.js';
import { inertBlock, inertLine } from '../core/inert-text.js';
import { indent } from './format.js';

const field = (value: unknown): string => inertLine(String(value ?? ''));

export function describeTerminalEvent(e: StoredEvent): string | null {
  const p = e.payload;
  if (!p) return null;
  // Events of this shape carry their channel; another module's ssh.* events keep the generic view.
  if (typeof p.channel !== 'number' && e.type !== 'ssh.host_key' && e.type !== 'ssh.forward') return null;
  switch (e.type) {
    case 'ssh.exec':
      if (typeof p.channel !== 'number') return null;
      if (p.shell === true)
        return `ssh.exec shell${p.pty ? ' with a terminal' : ''} (channel ${field(p.channel)})`;
      if (typeof p.subsystem === 'string')
        return `ssh.exec subsystem ${field(p.subsystem)} (channel ${field(p.channel)})`;
      return `ssh.exec ${field(p.command)} (channel ${field(p.channel)})`;
    case 'ssh.command':
      if (p.hidden === true)
        return `ssh.command #${Number(p.index ?? 0) + 1} (${field(p.bytes)} bytes typed with echo off, not stored; refused: ${field(p.refused)}, at ${field(p.t)}s)`;
      return `ssh.command #${Number(p.index ?? 0) + 1} ${field(p.command)} (at ${field(p.t)}s${p.source === 'screen' ? ', read from the screen' : ''})`;
    case 'ssh.output': {
      if (!Array.isArray(p.frames)) return null;
      const frames = p.frames;
      const text = frames
        .map((f) => (Array.isArray(f) && f[1] === 'o' ? String(f[2]) : ''))
        .join('')
        .replace(/\r\n/g, '\n');
      return `ssh.output (channel ${field(p.channel)})\n${indent(inertBlock(text))}`;
    }
    case 'ssh.input':
      return p.hidden
        ? `ssh.input ${field(p.bytes)} bytes typed with echo off (not stored)`
        : `ssh.input ${field(p.data)}`;
    case 'ssh.file':
      return `ssh.file ${field(p.via)} ${field(p.operation)} ${field(p.path)}${p.phase === 'done' ? ` ${field(p.size)} bytes sha256 ${field(p.sha256 ?? 'unknown')}${p.incomplete ? ` (${field(p.incomplete)})` : ''}` : ''}`;
    case 'ssh.forward':
      return `ssh.forward ${field(p.kind)} ${field(p.host)}:${field(p.port)}${p.phase === 'closed' ? ` closed (${field(p.bytes_to_host)} bytes out, ${field(p.bytes_from_host)} in)` : ''}`;
    case 'ssh.exit':
      return `ssh.exit channel ${field(p.channel)}: ${p.signal ? `signal ${field(p.signal)}` : `status ${field(p.exit_status)}`} (${field(p.output_bytes)} bytes of output)`;
    case 'ssh.signal':
      return `ssh.signal channel ${field(p.channel)}: ${field(p.name)}${p.refused ? ` refused (${field(p.refused)})` : ''}`;
    case 'ssh.host_key':
      return `ssh.host_key ${field(p.upstream)} ${field(p.fingerprint)} (${field(p.trust)})`;
    default:
      return null;
  }
}
