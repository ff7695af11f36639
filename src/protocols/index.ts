// The protocol modules Vigil serves: one line each. Adding a protocol is a folder under
// src/protocols with a module (src/protocols/module.ts) and a line here (docs/protocols.md).
import { httpApiModule } from './http-api/module.js';
import { llmModule } from './llm/module.js';
import { mcpModule } from './mcp/module.js';
import { mysqlModule } from './mysql/module.js';
import { postgresModule } from './postgres/module.js';
import { protocolRegistry } from './registry.js';
import { sshModule } from './ssh/module.js';

export const PROTOCOLS = protocolRegistry([
  llmModule,
  postgresModule,
  mysqlModule,
  sshModule,
  mcpModule,
  httpApiModule,
]);

/** The configuration schema for every registered protocol's connections. */
export const configSchema = PROTOCOLS.configSchema;
