// `vigil policy test --call TOOL [--args JSON]`: the mcp.call the MCP adapter would submit for a
// tool call, so rules on tool names and argument values can be tried before they are deployed.
import { VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { SampleAction } from '../module.js';

export const callSample: SampleAction = {
  option: 'call',
  description: 'a tool call on an MCP connection (an mcp.call)',
  refinements: { args: { description: "the call's arguments, a JSON object" } },
  async build(_connection, text, refinements) {
    const raw = refinements.args;
    if (Array.isArray(raw)) throw new VigilError('usage', '--args is given once');
    let args: JsonObject = {};
    if (typeof raw === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new VigilError('usage', '--args must be a JSON object');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new VigilError('usage', '--args must be a JSON object');
      }
      args = parsed as JsonObject;
    }
    return {
      type: 'mcp.call',
      payload: {
        call_id: 'policy-test',
        request_id: 'policy-test',
        tool: text,
        arguments: args,
        tool_digest: null,
      },
    };
  },
};
