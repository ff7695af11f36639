// Runs the registered protocol modules: each module with configured connections is started on the
// narrow module context; the server owns what every port-based protocol needs alike (binding,
// tracking accepted sockets, bounding the connections still logging in, closing them at shutdown:
// tcp-listener.ts) and routes /c/<connection>/ to HTTP mounts. Nothing here names a protocol: it
// loops over the registry.
import type { VigilConfig } from '../core/config.js';
import type { ModuleContext } from '../pipeline/module-context.js';
import type { Guard } from '../pipeline/policy.js';
import type { HttpMount, StartedModule, WellKnownMount } from '../protocols/module.js';
import type { ProtocolRegistry } from '../protocols/registry.js';
import { type ListenerObserver, listen, type ProtocolListener } from './tcp-listener.js';

export type { ListenerObserver, ProtocolListener } from './tcp-listener.js';

export interface RunningProtocols {
  /** Listeners of port-based connections, by connection. */
  readonly listeners: readonly ProtocolListener[];
  /** The HTTP mount serving /c/<connection>/, if that connection has one. */
  http(connection: string): HttpMount | undefined;
  /** The host-level well-known documents a connection publishes, if any. */
  wellKnown(connection: string): WellKnownMount | undefined;
  /** Stops accepting, drops live sockets, then lets each module release what it holds. */
  close(): Promise<void>;
}

function connectionsByModule(registry: ProtocolRegistry, config: VigilConfig) {
  return registry.modules
    .map((module) => ({
      module,
      connections: config.connections.filter((c) => registry.moduleFor(c.type) === module),
    }))
    .filter((m) => m.connections.length > 0);
}

/** The guards the modules add to the shared policy stage for their connections. */
export async function buildGuards(registry: ProtocolRegistry, config: VigilConfig): Promise<Guard[]> {
  const guards: Guard[] = [];
  for (const { module, connections } of connectionsByModule(registry, config)) {
    if (module.guards) guards.push(...(await module.guards(connections)));
  }
  return guards;
}

export async function startProtocols(
  registry: ProtocolRegistry,
  config: VigilConfig,
  ctx: ModuleContext,
  observer?: ListenerObserver,
): Promise<RunningProtocols> {
  const started: StartedModule[] = [];
  const listeners: ProtocolListener[] = [];
  const mounts = new Map<string, HttpMount>();
  const wellKnown = new Map<string, WellKnownMount>();
  const closeAll = async () => {
    await Promise.all(listeners.map((l) => l.close()));
    await Promise.all(started.map((m) => m.close()));
  };
  try {
    for (const { module, connections } of connectionsByModule(registry, config)) {
      const running = await module.start(ctx, connections);
      started.push(running);
      for (const [name, mount] of running.http ?? []) mounts.set(name, mount);
      for (const [name, mount] of running.wellKnown ?? []) wellKnown.set(name, mount);
      for (const tcp of running.tcp ?? []) listeners.push(await listen(tcp, ctx, config.listeners, observer));
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    listeners,
    http: (connection) => mounts.get(connection),
    wellKnown: (connection) => wellKnown.get(connection),
    close: closeAll,
  };
}
