// The models the stand-in model claims to serve, listed in each provider's shape.
import { DemoRequestError } from './wire-errors.js';

export const DEMO_MODEL_IDS = ['demo', 'demo-mini', 'demo-embed', 'demo-claude'] as const;

/** Fixed, so listings compare equal across runs. */
const CREATED_AT = 1_735_689_600; // 2025-01-01T00:00:00Z

export class ModelCatalogue {
  constructor(private readonly ids: readonly string[]) {}

  /** Listed ids, and anything starting with `demo` (failure-injection names included). */
  knows(id: string): boolean {
    return this.ids.includes(id) || id.startsWith('demo');
  }

  /** Throws the provider's 404 for an unknown model. */
  require(id: string, flavour: 'openai' | 'anthropic'): void {
    if (this.knows(id)) return;
    throw new DemoRequestError(
      flavour === 'openai'
        ? {
            status: 404,
            message: `The model \`${id}\` does not exist or you do not have access to it.`,
            code: 'model_not_found',
          }
        : { status: 404, message: `model: ${id}` },
    );
  }

  openaiList() {
    return { object: 'list', data: this.ids.map(openaiModel) };
  }

  openaiOne(id: string) {
    this.require(id, 'openai');
    return openaiModel(id);
  }

  anthropicList() {
    const data = this.ids.map(anthropicModel);
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  }

  anthropicOne(id: string) {
    this.require(id, 'anthropic');
    return anthropicModel(id);
  }
}

function openaiModel(id: string) {
  return { id, object: 'model', created: CREATED_AT, owned_by: 'vigil-demo' };
}

function anthropicModel(id: string) {
  return {
    type: 'model',
    id,
    display_name: `Vigil demo (${id})`,
    created_at: new Date(CREATED_AT * 1000).toISOString(),
  };
}
