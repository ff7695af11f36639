// A set of protocol modules and what follows from it: the configuration schema that accepts their
// connection types, how an action of any of them reads to policy, and which module serves a type.
import { type ActionDescriber, NO_FACTS } from '../core/actions.js';
import { buildConfigSchema } from '../core/config.js';
import type { ProtocolModule } from './module.js';

export interface ProtocolRegistry {
  readonly modules: readonly ProtocolModule[];
  readonly configSchema: ReturnType<typeof buildConfigSchema>;
  readonly describeAction: ActionDescriber;
  moduleFor(connectionType: string): ProtocolModule | undefined;
}

export function protocolRegistry(modules: readonly ProtocolModule[]): ProtocolRegistry {
  const byType = new Map<string, ProtocolModule>();
  for (const m of modules) {
    for (const type of Object.keys(m.connectionTypes)) {
      if (byType.has(type)) throw new Error(`connection type ${type} is claimed by two modules`);
      byType.set(type, m);
    }
  }
  return {
    modules,
    configSchema: buildConfigSchema(modules.flatMap((m) => Object.values(m.connectionTypes))),
    describeAction: (type, payload) => {
      for (const m of modules) {
        const facts = m.describeAction(type, payload);
        if (facts) return facts;
      }
      return NO_FACTS;
    },
    moduleFor: (type) => byType.get(type),
  };
}
