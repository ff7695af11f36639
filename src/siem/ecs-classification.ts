// Which ECS categorization a Vigil event type gets (event.kind, category, type, outcome). ECS
// allows only its listed values in these fields, so every Vigil type is placed in the nearest one;
// the exact type is always in event.action and vigil.type.

export interface EcsClassification {
  readonly kind: 'event' | 'alert';
  readonly category: string[];
  readonly type: string[];
  readonly outcome: 'success' | 'failure' | 'unknown';
}

type Payload = Readonly<Record<string, unknown>> | null;

/** By exact type first, then by the type's family (the part before the dot). */
const BY_TYPE: Record<string, readonly [category: string, type: string]> = {
  'session.start': ['session', 'start'],
  'session.end': ['session', 'end'],
  'ssh.exec': ['process', 'start'],
  'ssh.command': ['process', 'start'],
  'ssh.exit': ['process', 'end'],
  'ssh.signal': ['process', 'change'],
  // A client stopping its statement changes what runs, as a signal does.
  'db.cancel': ['database', 'change'],
  'ssh.file': ['file', 'access'],
  'ssh.forward': ['network', 'connection'],
  'ssh.host_key': ['network', 'info'],
  'policy.decision': ['intrusion_detection', 'info'],
  'approval.requested': ['iam', 'info'],
  'approval.decided': ['iam', 'change'],
  'access.denied': ['iam', 'denied'],
  'access.granted': ['iam', 'allowed'],
  'access.revoked': ['iam', 'change'],
  'audit.viewed': ['iam', 'access'],
  'admin.action': ['configuration', 'change'],
  'ledger.purged': ['configuration', 'deletion'],
};

const BY_FAMILY: Record<string, readonly [category: string, type: string]> = {
  llm: ['web', 'access'],
  http: ['web', 'access'],
  mcp: ['web', 'access'],
  db: ['database', 'access'],
  ssh: ['session', 'info'],
};

export function ecsClassification(type: string, payload: Payload): EcsClassification {
  const [category, ecsType] = BY_TYPE[type] ?? BY_FAMILY[type.split('.')[0]!] ?? ['host', 'info'];
  return {
    kind: kindOf(type, payload),
    category: [category],
    type: [ecsType],
    outcome: outcomeOf(type, payload),
  };
}

/** A guardrail's alert is an ECS alert; everything else is an event. */
function kindOf(type: string, payload: Payload): 'event' | 'alert' {
  return type === 'policy.decision' && payload?.action === 'alert' ? 'alert' : 'event';
}

function outcomeOf(type: string, payload: Payload): EcsClassification['outcome'] {
  if (type === 'access.denied') return 'failure';
  if (type === 'access.granted') return 'success';
  if (type === 'policy.decision') {
    if (payload?.action === 'deny') return 'failure';
    if (payload?.action === 'allow' || payload?.action === 'alert') return 'success';
  }
  // A statement's result or a response that carries an error failed.
  if ((type === 'db.result' || type.endsWith('.response') || type === 'mcp.result') && payload) {
    if (payload.error !== undefined && payload.error !== null) return 'failure';
    return 'success';
  }
  return 'unknown';
}
