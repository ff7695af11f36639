// Where an event's payload holds an identity's name rather than free text: the holder of a grant
// (`subject` of access.granted and access.revoked) and the reviewers who approved a released action
// (`approval.approved_by`, on the action's own event). The payload view marks a name there that may
// pass for another (IdentityName.tsx), as the timeline marks who acted on each event. Elsewhere a
// key named `subject` may be anything (a result row's column), so only these paths are read as names.

/** Whether the string at `path` (keys from the payload's root; array items by index) is an identity's name. */
export function isIdentityPath(type: string, path: readonly string[]): boolean {
  if (path.length === 1 && path[0] === 'subject')
    return type === 'access.granted' || type === 'access.revoked';
  return path.length === 3 && path[0] === 'approval' && path[1] === 'approved_by' && /^\d+$/.test(path[2]!);
}

/**
 * What the identity that recorded an event did, when the event is a decision about someone else's
 * request or grant: the timeline says "Decided by …", "Withdrawn by …" before the name. Null when the
 * identity is simply the session's own (a statement, a prompt, a sign-in).
 */
export function attributionOf(
  type: string,
  payload: Readonly<Record<string, unknown>> | null,
): string | null {
  if (type === 'approval.decided') {
    switch (payload?.outcome) {
      case 'withdrawn':
        return 'Withdrawn by';
      case 'timeout':
        return 'Closed (timed out) by';
      default:
        return 'Decided by';
    }
  }
  // A grant's events (a console sign-in records access.granted without one: the identity is its own).
  if (typeof payload?.grant_id !== 'string') return null;
  if (type === 'access.granted') return 'Granted by';
  if (type === 'access.revoked') return 'Revoked by';
  return null;
}
