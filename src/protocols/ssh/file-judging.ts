// Submits a file action so that an allow rule must hold for every path it touches. Policy lets a
// deny, review or alert pattern match any reading of an action but an allow pattern only its text
// (`OPERATION PATH` as written): with `default: deny` and an allow on `^upload /srv/open/`, a link
// /srv/open/x -> /etc made outside Vigil let `put f /srv/open/x/passwd` write /etc/passwd, and a
// rename out of /srv/open wrote wherever its new name pointed. So the action is judged once per
// reading an allow must cover (the path as written and where the host resolves it; for rename,
// symlink and hardlink both ends), each in turn as the text (action-facts.ts, `judged_reading`),
// and the strictest outcome is the one submitted, recorded with the reading that decided it.
import type { JsonObject, RecordedEvent } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import type { SubmitOptions } from '../../pipeline/pipeline.js';
import type { PolicyDecision } from '../../pipeline/policy.js';
import { JUDGED_READINGS } from './action-facts.js';

const STRICTNESS = { allow: 0, review: 1, deny: 2 } as const;

/**
 * The payload to submit (the plain one unless another reading meets a stricter decision) and that
 * decision. Judging records nothing.
 */
export function strictestReading(
  session: Pick<ModuleSession, 'judge'>,
  payload: JsonObject,
): { readonly payload: JsonObject; readonly decision: PolicyDecision } {
  let chosen = { payload, decision: session.judge('ssh.file', payload) };
  for (const field of JUDGED_READINGS) {
    if (chosen.decision.action === 'deny') break;
    if (typeof payload[field] !== 'string' || payload[field] === '') continue;
    const reading = { ...payload, judged_reading: field };
    const decision = session.judge('ssh.file', reading);
    if (STRICTNESS[decision.action] > STRICTNESS[chosen.decision.action])
      chosen = { payload: reading, decision };
  }
  return chosen;
}

/** Judges (every reading, see above), records and, unless refused, resolves: forward only then. */
export function submitFileAction(
  session: ModuleSession,
  payload: JsonObject,
  options: SubmitOptions,
): Promise<RecordedEvent | null> {
  return session.submit('ssh.file', strictestReading(session, payload).payload, options);
}
