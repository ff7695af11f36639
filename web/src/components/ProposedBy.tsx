// The model turn that proposed an action, when the record links one (`proposed_by` in a held
// action's approval request): a link to that node of that session's reasoning tree. The ids come
// from the record, so they become a link only when they look like ids; otherwise they are text.
import { onLinkClick } from '../router';
import type { JsonValue } from '../types';
import { InertLine } from './InertText';

const SESSION_ID = /^[A-Za-z0-9_-]+$/;

export function ProposedBy({ value }: { value: JsonValue | undefined }) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const session = typeof value.session_id === 'string' ? value.session_id : null;
  const node = typeof value.node_id === 'string' ? value.node_id : null;
  if (!session || !node) return null;
  const confidence = typeof value.confidence === 'number' ? ` (${Math.round(value.confidence * 100)}%)` : '';
  if (!SESSION_ID.test(session)) return <InertLine text={`proposed by ${session} ${node}${confidence}`} />;
  const href = `/sessions/${session}?tab=tree&node=${encodeURIComponent(node)}`;
  return (
    <span data-testid="proposed-by">
      Proposed by model turn{' '}
      <a href={href} onClick={(e) => onLinkClick(e, href)}>
        <InertLine text={node} />
      </a>
      {confidence}
    </span>
  );
}
