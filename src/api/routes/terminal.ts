// A terminal session's recording for the console's player: the asciicast v2 file that
// `vigil export --format asciicast` writes (core/terminal-recording.ts, shared, not copied), with the
// command lines typed at a prompt so the page can list them and jump to each. Who may read the
// session may read its recording; reading it is recorded (audit.viewed, `terminal`) like any view.
import type { Store } from '../../core/ports.js';
import { asciicast, type TerminalPlayback, terminalRecording } from '../../core/terminal-recording.js';
import type { Route } from '../admin-route.js';
import { type Audit, readableSession } from './sessions.js';

export function terminalRoutes(store: Store, audit: Audit): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/terminal$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const events = await store.readSession(session.id);
        await audit(ctx, { what: 'terminal', session: session.id });
        const recording = terminalRecording(events);
        const terminal: TerminalPlayback | null = recording && {
          width: recording.width,
          height: recording.height,
          cast: asciicast(recording, events, `${session.identity.subject} on ${session.connection}`),
          commands: recording.commands,
        };
        return { status: 200, body: { terminal } };
      },
    },
  ];
}
