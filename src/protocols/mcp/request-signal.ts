// The life of one HTTP request to the MCP endpoint, as a signal: aborted when the client leaves or
// its session is cut (then the response is destroyed too), so nothing more goes upstream for it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ModuleSession } from '../../pipeline/module-context.js';

/** Aborted when the client leaves or the session is cut, so nothing more goes upstream for it. */
export function requestSignal(
  req: IncomingMessage,
  res: ServerResponse,
  session: ModuleSession,
): { signal: AbortSignal; done: () => void } {
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort(new Error('client closed the connection'));
  };
  res.on('close', onClose);
  if (res.destroyed || req.socket.destroyed) abort.abort(new Error('client closed the connection'));
  const unregister = session.onCut(() => {
    abort.abort(new Error('session cut'));
    res.destroy();
  });
  return {
    signal: abort.signal,
    done: () => {
      res.off('close', onClose);
      unregister();
    },
  };
}
