// A connection's own tool allow and deny lists (`tools.allow`, `tools.deny`, `*` wildcards): a
// tool they refuse is refused before policy, and hidden from the listings the client sees.
import type { McpConnectionConfig } from './config.js';

function matches(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

export function toolAllowed(tools: McpConnectionConfig['tools'], name: string): boolean {
  if (tools.deny.some((p) => matches(p, name))) return false;
  return tools.allow.length === 0 || tools.allow.some((p) => matches(p, name));
}
