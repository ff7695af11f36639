// The work behind GET /api/sessions/:id/terminal, done in small steps on the gateway's thread. Until
// 5 December the route read the whole session, payloads and all, then built the asciicast file and
// its JSON answer in one go: a user who printed a few tens of megabytes in their own SSH session
// could stall every session's traffic for most of a second per call, in a loop (docs/console/sessions.md).
// Now the session is read a page at a time (Store.readSessionPage) keeping only what the recording
// holds, the file and the answer are written a piece at a time, the thread is given back between
// steps, and a recording larger than the console plays is refused once the pages read reach it.

import { VigilError } from '../../core/errors.js';
import type { SessionSummary } from '../../core/events.js';
import type { Store } from '../../core/ports.js';
import { asciicastLines, TerminalRecordingReader } from '../../core/terminal-recording.js';
import { JsonText } from '../../http/json-response.js';

/**
 * The largest recording the console plays, by TerminalRecordingReader's `size` (characters of
 * text, and a share for each frame). The player is handed it whole, and the answer's last steps (one join, then its encoding
 * as the response is written) are not split: about 50 ms of this thread at this size on the bench
 * machine. A larger recording is the CLI's (`vigil export --format asciicast`, `vigil replay`).
 */
export const MAX_PLAYBACK_CHARS = 8 * 1024 * 1024;
/**
 * A page of events: an `ssh.output` chunk holds up to output_chunk_bytes of output (64 KiB by
 * default, more as JSON when its frames are small), and SQLite, whose reads run on this thread,
 * measures every row of the page's LIMIT before cutting it at PAGE_BYTES.
 */
const PAGE_EVENTS = 4;
const PAGE_BYTES = 256 * 1024;
/** Characters of the file escaped into the answer between two turns of the event loop. */
const PIECE_CHARS = 512 * 1024;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function tooLarge(session: SessionSummary): VigilError {
  return new VigilError(
    'recording_too_large',
    `the terminal recording of session ${session.id} is larger than the console plays ` +
      `(${MAX_PLAYBACK_CHARS / 1024 / 1024} MiB): \`vigil export ${session.id} --format asciicast\` ` +
      'writes it to a file, and the timeline shows its output page by page',
    { details: { limit: MAX_PLAYBACK_CHARS } },
  );
}

/**
 * A command the client asked the host to run (`ssh host 'command'`, `ssh -t …`): its `ssh.exec`.
 * No prompt was typed at, so it is no command line of the recording; the output on the player is
 * its output. Until 7 December 2026 the Terminal tab did not show it: it said that no command line
 * was typed, and what the command printed (`printf '\033[2J'; echo all good`) was all a reader of
 * the tab saw of what ran.
 */
export interface RanCommand {
  readonly command: string;
  readonly seq: number;
}

export interface TerminalRead {
  readonly reader: TerminalRecordingReader;
  readonly ran: readonly RanCommand[];
}

/**
 * The session's terminal recording, read a page at a time; throws `recording_too_large` as soon as
 * what was read passes MAX_PLAYBACK_CHARS, reading no further.
 */
export async function readTerminal(store: Store, session: SessionSummary): Promise<TerminalRead> {
  const reader = new TerminalRecordingReader();
  const ran: RanCommand[] = [];
  let ranChars = 0;
  let afterSeq = -1;
  for (;;) {
    const page = await store.readSessionPage(session.id, {
      afterSeq,
      limit: PAGE_EVENTS,
      maxPayloadBytes: PAGE_BYTES,
    });
    reader.add(page.events);
    for (const e of page.events) {
      const command = e.type === 'ssh.exec' ? e.payload?.command : undefined;
      if (typeof command !== 'string' || command === '') continue;
      ran.push({ command, seq: e.seq });
      ranChars += command.length;
    }
    if (reader.size + ranChars > MAX_PLAYBACK_CHARS) throw tooLarge(session);
    if (page.nextAfterSeq === null) return { reader, ran };
    afterSeq = page.nextAfterSeq;
    // Other sessions' traffic runs between two pages.
    await nextTurn();
  }
}

/**
 * The route's answer, `{ terminal }` (TerminalPlayback and the commands `ran`, or null without
 * output), as JSON text
 * written a piece at a time: the file itself is one JSON string, escaped piece by piece (escaping
 * is per character, so escaped pieces joined by an escaped line break are the escaped file).
 */
export async function playbackJson({ reader, ran }: TerminalRead, title: string): Promise<JsonText> {
  const recording = reader.recording();
  if (!recording) return new JsonText('{"terminal":null}');
  const escaped: string[] = [];
  let lines: string[] = [];
  let chars = 0;
  for (const line of asciicastLines(recording, reader.keystrokes, title)) {
    lines.push(line);
    chars += line.length;
    if (chars < PIECE_CHARS) continue;
    escaped.push(JSON.stringify(lines.join('\n')).slice(1, -1));
    lines = [];
    chars = 0;
    await nextTurn();
  }
  if (lines.length > 0) escaped.push(JSON.stringify(lines.join('\n')).slice(1, -1));
  const { width, height, commands } = recording;
  const head = `{"terminal":${JSON.stringify({ width, height }).slice(0, -1)},"cast":"`;
  const tail = `","commands":${JSON.stringify(commands)},"ran":${JSON.stringify(ran)}}}`;
  // One join makes one flat string: the response then encodes it without first copying a rope.
  return new JsonText(
    [head, ...escaped.flatMap((piece, i) => (i === 0 ? [piece] : ['\\n', piece])), tail].join(''),
  );
}
