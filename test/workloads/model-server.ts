// Serves a workload's scripted answers from the project's stand-in model (src/demo-model), the
// same server the gateway end-to-end tests put behind Vigil.
import { startDemoModel } from '../../src/demo-model/index.js';
import type { StubServer } from './openai-stub.js';
import type { ScriptedModel } from './scripted-model.js';

export async function startWorkloadModel(model: ScriptedModel): Promise<StubServer> {
  const server = await startDemoModel({
    // The workloads ask for the models the reference code used.
    models: ['gpt-4', 'gpt-4o'],
    respond: (prompt) => {
      const reply = model(
        { messages: prompt.messages.map((m) => ({ role: m.role, content: m.content })), n: prompt.n },
        prompt.choiceIndex,
      );
      return {
        text: reply.content ?? '',
        ...(reply.reasoning !== undefined ? { reasoning: reply.reasoning } : {}),
        ...(reply.toolCalls?.length ? { toolCalls: reply.toolCalls } : {}),
      };
    },
  });
  return { baseURL: `${server.url}/v1`, close: () => server.close() };
}
