// A local port forward (`ssh -L`) on a connection that allows it: the forward is an ssh.forward
// action, judged and recorded before the host opens it; when it closes, the bytes each way are
// recorded with it. The contents are not recorded: they are another protocol Vigil cannot read here.
import type { AcceptConnection, RejectConnection, ServerChannel } from 'ssh2';
import { toVigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { ConnectionState } from './connection-state.js';

export function relayForward(
  state: ConnectionState,
  payload: JsonObject,
  accept: AcceptConnection<ServerChannel>,
  reject: RejectConnection,
): void {
  void (async () => {
    try {
      await state.session.submit('ssh.forward', { ...payload, phase: 'open' }, { signal: state.signal });
      const { client } = await state.upstream;
      const [origin, originPort] = String(payload.origin).split(':');
      const upstream = await new Promise<import('ssh2').ClientChannel>((resolve, reject) => {
        client.forwardOut(
          origin ?? '127.0.0.1',
          Number(originPort ?? 0),
          String(payload.host),
          Number(payload.port),
          (err, ch) => (err ? reject(err) : resolve(ch)),
        );
      });
      const channel = accept();
      let sent = 0;
      let received = 0;
      channel.on('data', (chunk: Buffer) => {
        sent += chunk.length;
      });
      upstream.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      channel.pipe(upstream).pipe(channel);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        state.record('ssh.forward', {
          ...payload,
          phase: 'closed',
          bytes_to_host: sent,
          bytes_from_host: received,
        });
        channel.destroy();
        upstream.destroy();
      };
      channel.on('close', close);
      upstream.on('close', close);
      state.onEnd(close);
    } catch (err) {
      state.logger.warn({ session: state.session.id, err: toVigilError(err).message }, 'ssh forward refused');
      reject();
    }
  })();
}
