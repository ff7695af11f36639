// What the read rules (`mcp.read`) say of a URI that reaches the client some other way than a read:
// a name a completion offers under a resource template, a resource a server reports as updated,
// a resource or template a listing names.
// Judged as a read of that URI would be, recording nothing (the caller records what it withholds).
// A review counts as a refusal: there is no request to hold while reviewers decide (fail closed).
import type { ModuleSession } from '../../pipeline/module-context.js';

/** The rule that would deny or hold a read of any of `uris`, or null when every read would pass. */
export function readRefusedBy(session: ModuleSession, uris: readonly string[]): string | null {
  for (const uri of uris) {
    const decision = session.judge('mcp.read', { uri });
    if (decision.action !== 'allow') return decision.rule;
  }
  return null;
}
