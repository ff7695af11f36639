// `vigil rerun SESSION`: serves a recorded session's model answers on a local OpenAI- and
// Anthropic-compatible endpoint, so unchanged client code re-runs against the recording without a
// model, and reports where a changed client diverges from it (docs/rerun.md). The session is read
// from the store as `vigil replay` and `vigil tree` read it, and the reading is recorded the same way.
// `--mcp SESSION` names the agent's MCP sessions explicitly: an agent's tool connection is its own
// session, and guessing it from identity and time would mix in another run of the same person.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import {
  mcpEndpoint,
  recordedCalls,
  recordedMcp,
  renderReport,
  startRerunServer,
  TIMINGS,
  type Timing,
} from '../../rerun/index.js';
import { recordCliAudit } from '../audit.js';
import { loadCliConfig, openExistingStore } from '../context.js';
import { gatewayMasker } from '../gateway-masker.js';
import type { SetExitCode } from './index.js';

interface RerunOptions {
  listen: string;
  allowRemote?: boolean;
  timing?: string;
  report?: string;
  mcp?: string[];
}

function listenAddress(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  const host = text.slice(0, Math.max(0, at)).replace(/^\[|\]$/g, '') || '127.0.0.1';
  if (at < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new VigilError('usage', `--listen must be HOST:PORT, got ${text}`);
  return { host, port };
}

/** Loopback: 127.0.0.0/8, ::1 (also as an IPv4-mapped address) and localhost. */
function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}

export function register(program: Command, setExitCode: SetExitCode): void {
  program
    .command('rerun')
    .description(
      "serve a session's recorded model answers (and MCP tool results) on a local endpoint, to re-run its client without a model",
    )
    .argument('<session>', 'session id')
    .option('--listen <host:port>', 'address to serve on (port 0: any free port)', '127.0.0.1:8787')
    .option(
      '--timing <mode>',
      'recorded: answer with the recorded delays; fast: at once (the default when output is not a terminal)',
    )
    .option(
      '--allow-remote',
      'let --listen take an address other than loopback: the recording is then served to anyone who can reach it, with no credential',
    )
    .option('--report <file>', 'also write the report as JSON to FILE when stopped')
    .option(
      '--mcp <session>',
      "also serve this MCP session's recorded tool results at <url>/mcp (repeatable)",
      (value: string, list: string[] | undefined) => [...(list ?? []), value],
    )
    .action(async (sessionId: string, opts: RerunOptions) => {
      // Someone watching gets the recorded pace; a script, the answers as fast as they can go.
      const timing = opts.timing ?? (process.stdout.isTTY ? 'recorded' : 'fast');
      if (!(TIMINGS as readonly string[]).includes(timing))
        throw new VigilError('usage', `--timing must be one of ${TIMINGS.join(', ')}`);
      const { host, port } = listenAddress(opts.listen);
      // The endpoint takes no credential: served beyond this machine only when asked for in so many words.
      if (!isLoopback(host) && opts.allowRemote !== true)
        throw new VigilError(
          'usage',
          `--listen ${opts.listen} would serve the recording to anyone who can reach it, with no credential: listen on loopback, or add --allow-remote`,
        );
      const mcpSessions = opts.mcp ?? [];
      const loaded = loadCliConfig(program.opts());
      const store = await openExistingStore(loaded);
      let events: Awaited<ReturnType<typeof store.ledger.readSession>>;
      const mcpEvents: (typeof events)[] = [];
      try {
        const session = await store.ledger.getSession(sessionId);
        if (!session) throw new VigilError('session_unknown', `no session ${sessionId}`);
        events = await store.ledger.readSession(sessionId);
        for (const id of mcpSessions) {
          if (!(await store.ledger.getSession(id)))
            throw new VigilError('session_unknown', `no session ${id}`);
          mcpEvents.push(await store.ledger.readSession(id));
        }
        await recordCliAudit(store.ledger, {
          what: 'rerun',
          session: sessionId,
          ...(mcpSessions.length > 0 ? { mcp_sessions: mcpSessions } : {}),
        });
      } finally {
        await store.close();
      }
      // The gateway's masker, from the same configuration and fingerprint key: a re-run request is
      // masked exactly as its recorded twin was, so the two compare equal.
      const masker = gatewayMasker(loaded, (label) =>
        console.error(
          `warning: secret ${label} is not available here; a prompt containing it will not match`,
        ),
      );
      const recorded = recordedCalls(events);
      const mcpRecorded = recordedMcp(mcpEvents);
      const mcp = mcpSessions.length > 0 ? mcpEndpoint(mcpSessions, mcpRecorded, masker) : undefined;
      const server = await startRerunServer(
        { session: sessionId, recorded, masker, timing: timing as Timing, ...(mcp ? { mcp } : {}) },
        host,
        port,
      );
      console.log(`Vigil re-run of session ${sessionId} listening on ${server.url}`);
      console.log(`  OpenAI base URL:    ${server.url}/v1`);
      console.log(`  Anthropic base URL: ${server.url}`);
      if (mcp) {
        console.log(`  MCP URL:            ${server.url}/mcp`);
        console.log(
          `  ${mcpRecorded.tools.length} recorded tools, ${mcpRecorded.calls.length} recorded tool calls.`,
        );
      }
      console.log(`  ${recorded.calls.length} recorded model calls, timing ${timing}. Stop with Ctrl-C.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      const report = server.report();
      console.log(renderReport(report));
      if (opts.report) writeFileSync(opts.report, `${JSON.stringify(report, null, 2)}\n`);
      // Scripts can tell a faithful re-run from a diverging one.
      const mcpUnmatched = (report.mcp?.unmatched.length ?? 0) + (report.mcp?.reads.unmatched.length ?? 0);
      if (report.unmatched.length > 0 || mcpUnmatched > 0) setExitCode(1);
    });
}
