// One node of the reasoning tree read in full: its prompt and response (inert text), its thoughts
// with their status and scores, the evaluations that judged it, and the actions (statements,
// commands, tool calls) the record links to it, each a link to the event that ran it.

import { useEffect, useState } from 'react';
import { apiGet, describeError } from '../api';
import { onLinkClick } from '../router';
import type { TreeNodeDetail } from '../types';
import { InertBlock, InertLine } from './InertText';

export interface NodePanelProps {
  readonly sessionId: string;
  readonly nodeId: string;
  readonly collapsed: boolean;
  readonly onToggle: () => void;
}

/**
 * Asks the gateway for one node in full (its texts are not in the tree's outline). What it holds is
 * keyed by node: on the render after the node changes, before the effect runs, the last node's
 * detail is not shown as the new one's.
 */
function useNode(sessionId: string, nodeId: string): { detail: TreeNodeDetail | null; error: string | null } {
  const [state, setState] = useState<{ key: string; detail: TreeNodeDetail | null; error: string | null }>({
    key: '',
    detail: null,
    error: null,
  });
  const key = `${sessionId}\n${nodeId}`;
  useEffect(() => {
    let live = true;
    apiGet<TreeNodeDetail>(`/api/sessions/${sessionId}/tree/nodes/${encodeURIComponent(nodeId)}`)
      .then((detail) => live && setState({ key, detail, error: null }))
      .catch((err) => live && setState({ key, detail: null, error: describeError(err) }));
    return () => {
      live = false;
    };
  }, [sessionId, nodeId, key]);
  return state.key === key ? state : { detail: null, error: null };
}

export function NodePanel({ sessionId, nodeId, collapsed, onToggle }: NodePanelProps) {
  const { detail, error } = useNode(sessionId, nodeId);
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!detail) return <p className="muted">Loading node {nodeId}…</p>;
  const { node, evaluations, actions } = detail;
  const share = `/sessions/${sessionId}?tab=tree&node=${encodeURIComponent(node.id)}`;
  return (
    <div data-testid="node-panel">
      <h3>
        Node{' '}
        <a href={share} onClick={(e) => onLinkClick(e, share)}>
          {node.id}
        </a>
      </h3>
      <p className="muted">
        depth {node.depth} · {node.status} · <InertLine text={node.model ?? 'model unknown'} /> · {node.time}{' '}
        ·{' '}
        <a
          href={`/sessions/${sessionId}?event=${node.seq}`}
          onClick={(e) => onLinkClick(e, `/sessions/${sessionId}?event=${node.seq}`)}
        >
          event #{node.seq}
        </a>
      </p>
      <button type="button" onClick={onToggle} data-testid="toggle-subtree">
        {collapsed ? 'Expand subtree' : 'Collapse subtree'}
      </button>
      <h4>Prompt</h4>
      <InertBlock text={node.prompt} testId="node-prompt" />
      {/* Trees kept before reasoning was recorded have none. */}
      {node.reasoning ? (
        <>
          <h4>Reasoning</h4>
          <InertBlock text={node.reasoning} testId="node-reasoning" />
        </>
      ) : null}
      <h4>Response</h4>
      <InertBlock text={node.response} testId="node-response" />
      {node.toolCalls.length > 0 && (
        <>
          <h4>Tool calls</h4>
          {node.toolCalls.map((c, i) => (
            <InertBlock key={String(i)} text={`${c.name}(${c.arguments})`} />
          ))}
        </>
      )}
      {node.thoughts.length > 1 && (
        <>
          <h4>Thoughts</h4>
          <ul>
            {node.thoughts.map((t, i) => (
              <li key={String(i)}>
                <span className={t.status === 'kept' ? 'ok' : 'muted'}>{t.status}</span>
                {t.score !== null ? ` · score ${t.score}` : ''} · <InertLine text={t.text} />
              </li>
            ))}
          </ul>
        </>
      )}
      {evaluations.length > 0 && (
        <>
          <h4>Evaluations</h4>
          <ul>
            {evaluations.map((e) => (
              <li key={e.id}>
                {e.kind}:{' '}
                {e.targets
                  .filter((t) => t.nodeId === node.id)
                  .map((t) => `${t.score}${t.certainty === 'ambiguous' ? ' (ambiguous)' : ''}`)
                  .join(', ')}{' '}
                · verdicts <InertLine text={e.outputs.map((o) => o.verdict ?? '?').join(', ')} />
              </li>
            ))}
          </ul>
        </>
      )}
      {actions.length > 0 && (
        <>
          <h4>Actions this turn proposed</h4>
          <ul data-testid="node-actions">
            {actions.map((a) => {
              const href = `/sessions/${a.actionSessionId}?event=${a.actionSeq}`;
              return (
                <li key={`${a.actionSessionId}:${a.actionSeq}`}>
                  <a href={href} onClick={(e) => onLinkClick(e, href)}>
                    {a.actionType} #{a.actionSeq}
                  </a>{' '}
                  ({a.evidence}, {Math.round(a.confidence * 100)}%): <InertLine text={a.action} />
                </li>
              );
            })}
          </ul>
        </>
      )}
    </div>
  );
}
