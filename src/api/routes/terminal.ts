// A terminal session's recording for the console's player: the asciicast v2 file that
// `vigil export --format asciicast` writes (core/terminal-recording.ts, shared, not copied), with the
// command lines typed at a prompt so the page can list them and jump to each. Who may read the
// session may read its recording; reading it is recorded (audit.viewed, `terminal`) like any view.
// The session is read and the answer written in small steps (terminal-playback.ts), and a recording
// larger than the console plays is refused (`recording_too_large`).
import type { Store } from '../../core/ports.js';
import type { Route } from '../admin-route.js';
import { type Audit, readableSession } from './sessions.js';
import { playbackJson, readTerminal } from './terminal-playback.js';

export function terminalRoutes(store: Store, audit: Audit): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/terminal$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const recording = await readTerminal(store, session);
        await audit(ctx, { what: 'terminal', session: session.id });
        const body = await playbackJson(recording, `${session.identity.subject} on ${session.connection}`);
        return { status: 200, body };
      },
    },
  ];
}
