// `vigil tree SESSION [--path [NODE]] [--json]`: the reasoning tree rebuilt from a session's model
// traffic, or the path from its root to a node (by default the session's outcome). Actions are
// linked across the identity's other sessions (database, SSH) as the tree API does.
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { inertLine } from '../../core/inert-text.js';
import {
  actionEventsAround,
  buildReasoningTree,
  linkActions,
  outcomePath,
  renderPath,
  renderTree,
  TREE_EVENTS,
} from '../../reasoning/index.js';
import { recordCliAudit } from '../audit.js';
import { loadCliConfig, openExistingStore } from '../context.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('tree')
    .description('rebuild the reasoning tree (Tree-of-Thoughts, chain of thought) of a session')
    .argument('<session>', 'session id')
    .option('--path [node]', "print the path from the root to NODE (default: the session's outcome)")
    .option('--json', 'print JSON')
    .action(async (sessionId: string, opts: { path?: string | boolean; json?: boolean }) => {
      const store = await openExistingStore(loadCliConfig(program.opts()));
      try {
        const session = await store.ledger.getSession(sessionId);
        if (!session) throw new VigilError('session_unknown', `no session ${sessionId}`);
        const events = await store.ledger.readSessionContent(sessionId, TREE_EVENTS);
        await recordCliAudit(store.ledger, { what: 'tree', session: sessionId });
        const tree = buildReasoningTree(events, { sessionId });
        if (opts.path !== undefined) {
          const path = outcomePath(tree, typeof opts.path === 'string' ? opts.path : undefined);
          console.log(opts.json ? JSON.stringify(path, null, 2) : renderPath(path, inertLine));
          return;
        }
        const others = await actionEventsAround(store.ledger, session);
        const actions = linkActions(tree, [...events, ...others.filter((e) => e.sessionId !== sessionId)]);
        if (opts.json) {
          console.log(JSON.stringify({ sessionId, tree, actions }, null, 2));
          return;
        }
        console.log(renderTree(tree, inertLine));
        for (const a of actions) {
          // The action is a recorded statement or command: shown inert, on one line.
          console.log(
            `action ${inertLine(a.actionType)} #${a.actionSeq} ${inertLine(a.action)} <- ${inertLine(a.nodeId)} (${inertLine(`${a.evidence} ${a.confidence}`)})`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
