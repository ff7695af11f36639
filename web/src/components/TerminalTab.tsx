// An SSH session's terminal, played back by asciinema-player (its own terminal emulator: recorded
// escape sequences move a cursor and colour cells there, and nothing recorded becomes HTML), beside
// the command lines typed at a prompt; a command jumps the player to the moment its line was entered
// (the `command` URL parameter, so the moment can be shared). The player's code, which carries its
// emulator as WebAssembly, loads only when this tab opens.
import { useEffect, useMemo, useRef, useState } from 'react';
import { apiGet, describeError } from '../api';
import { navigate, onLinkClick } from '../router';
import { withoutBidiControls } from '../terminal-bidi';
import { withTerminalCells } from '../terminal-cells';
import { PLAYER_THEME, withVisibleColours } from '../terminal-colours';
import { monospaceAdvanceEm, terminalFit } from '../terminal-fit';
import { boundedTerminal, MAX_COLS, MAX_ROWS } from '../terminal-size';
import type { TerminalPlayback } from '../types';
import { InertLine } from './InertText';
import 'asciinema-player/dist/bundle/asciinema-player.css';

type Player = import('asciinema-player').Player;

const TERMINAL_FONT = 'ui-monospace, monospace';

const clock = (seconds: number) => {
  const m = Math.floor(seconds / 60);
  return `${String(m).padStart(2, '0')}:${(seconds - m * 60).toFixed(1).padStart(4, '0')}`;
};

export function TerminalTab({ sessionId, command }: { sessionId: string; command: number | null }) {
  const [terminal, setTerminal] = useState<TerminalPlayback | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(0);
  /** The size a recording too wide for the column is drawn at, scrolled sideways (terminal-fit.ts). */
  const [scrolledAt, setScrolledAt] = useState<number | null>(null);
  const holder = useRef<HTMLDivElement>(null);
  const player = useRef<Player | null>(null);

  useEffect(() => {
    let live = true;
    apiGet<{ terminal: TerminalPlayback | null }>(`/api/sessions/${sessionId}/terminal`)
      .then((body) => live && setTerminal(body.terminal))
      .catch((err) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [sessionId]);

  // What the player is handed. Bidi controls are taken out first: the browser would reorder the
  // player's lines by them, which no terminal does. Then what a terminal draws on no cell of its
  // own, to which the player would give one each; and no size larger than a screen: the size is
  // what the client asked for (terminal-size.ts). Last, no text in a colour too close to what is
  // behind it, nor blinking (terminal-colours.ts).
  const played = useMemo(
    () =>
      terminal
        ? boundedTerminal(
            withVisibleColours(withTerminalCells(withoutBidiControls(terminal.cast))),
            terminal.width,
            terminal.height,
          )
        : null,
    [terminal],
  );

  useEffect(() => {
    const el = holder.current;
    if (!played || !el) return;
    let disposed = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    void import('asciinema-player')
      .then(({ create }) => {
        if (disposed) return;
        // The recording is handed over as data: the player fetches nothing. Its command lines are
        // the cast's markers ('m' frames), shown on its progress bar. It fits the column while its
        // widest screen is readable so; a wider one is drawn at a readable size and scrolls.
        const fit = terminalFit(el.clientWidth, played.widest, monospaceAdvanceEm(TERMINAL_FONT));
        setScrolledAt(fit.fit === false ? fit.fontPx : null);
        const p = create({ data: played.cast, parser: 'asciicast' }, el, {
          cols: played.width,
          rows: played.height,
          preload: true,
          ...(fit.fit === false ? { fit: false, terminalFontSize: `${fit.fontPx}px` } : { fit: 'width' }),
          terminalFontFamily: TERMINAL_FONT,
          // The theme whose colours terminal-colours.ts judges contrast by, whatever the header says.
          theme: PLAYER_THEME,
        });
        player.current = p;
        timer = setInterval(() => {
          void Promise.resolve(p.getCurrentTime()).then((t) => setNow(t ?? 0));
        }, 200);
      })
      .catch((err) => setError(describeError(err)));
    return () => {
      disposed = true;
      if (timer) clearInterval(timer);
      player.current?.dispose();
      player.current = null;
    };
  }, [played]);

  // A shared link's command, once the player exists (and again whenever the URL names another).
  useEffect(() => {
    if (!terminal || command === null) return;
    const target = terminal.commands[command - 1];
    if (!target) return;
    const seek = setInterval(() => {
      if (!player.current) return;
      clearInterval(seek);
      void player.current.seek(target.t).then(() => player.current?.pause());
    }, 50);
    return () => clearInterval(seek);
  }, [terminal, command]);

  if (error)
    return (
      <p className="error" role="alert" data-testid="terminal-error">
        {error}
      </p>
    );
  if (terminal === undefined) return <p className="muted">Loading the terminal recording…</p>;
  if (terminal === null)
    return (
      <p className="muted" data-testid="terminal-none">
        This session recorded no terminal output.
      </p>
    );
  const jump = (n: number) => {
    navigate(`/sessions/${sessionId}?tab=terminal&command=${n}`, { replace: true });
    // Also here: clicking the command the URL already names seeks again.
    const target = terminal.commands[n - 1];
    if (target && player.current) void player.current.seek(target.t).then(() => player.current?.pause());
  };

  const asked = played?.asked ?? null;
  return (
    <div className="terminal-tab">
      <div className="terminal-player">
        {asked && (
          <p className="error" role="alert" data-testid="terminal-size">
            The client asked for a terminal of {asked.width}×{asked.height}, larger than any screen: it is
            played at most {MAX_COLS}×{MAX_ROWS}, so lines the host wrote for a wider terminal wrap here.
          </p>
        )}
        {scrolledAt !== null && played && (
          <p className="muted" data-testid="terminal-wide">
            This terminal is {played.widest} columns wide, too wide to read fitted to this page: it is drawn
            at {scrolledAt}px, and scrolls sideways.
          </p>
        )}
        <div
          ref={holder}
          data-testid="terminal-player"
          className={scrolledAt !== null ? 'terminal-scroll' : undefined}
        />
        <p className="muted" data-testid="player-time">
          at {clock(now)}
        </p>
      </div>
      <div className="terminal-commands">
        {terminal.ran.length > 0 && (
          // What the client asked the host to run (`ssh host 'command'`): no prompt was typed at, so
          // it is no command line below, and the player shows only what it printed.
          <>
            <h2>Run by the client</h2>
            <ol data-testid="terminal-ran">
              {terminal.ran.map((c) => (
                <li key={c.seq}>
                  <code>
                    <InertLine text={c.command} />
                  </code>{' '}
                  <a
                    href={`/sessions/${sessionId}?event=${c.seq}`}
                    className="muted"
                    aria-label={`Event ${c.seq}`}
                    onClick={(e) => onLinkClick(e, `/sessions/${sessionId}?event=${c.seq}`)}
                  >
                    #{c.seq}
                  </a>
                </li>
              ))}
            </ol>
          </>
        )}
        <h2>Commands</h2>
        {terminal.commands.length === 0 ? (
          <p className="muted">No command line was typed at a prompt.</p>
        ) : (
          <ol data-testid="terminal-commands">
            {terminal.commands.map((c, i) => (
              <li key={c.seq} className={command === i + 1 ? 'selected' : undefined}>
                <button
                  type="button"
                  className="linkish"
                  data-testid="terminal-command"
                  data-t={c.t}
                  aria-current={command === i + 1 ? 'step' : undefined}
                  onClick={() => jump(i + 1)}
                >
                  <span className="muted">{clock(c.t)}</span>{' '}
                  <code>
                    <InertLine text={c.command} />
                  </code>
                </button>{' '}
                <a
                  href={`/sessions/${sessionId}?event=${c.seq}`}
                  className="muted"
                  aria-label={`Event ${c.seq}`}
                  onClick={(e) => onLinkClick(e, `/sessions/${sessionId}?event=${c.seq}`)}
                >
                  #{c.seq}
                </a>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
