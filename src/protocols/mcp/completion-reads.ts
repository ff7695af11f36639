// A completion for a resource template's argument (`ref/resource`) names resources: each value the
// server offers is a URI the template makes with it, and what the user typed so far is the start of
// one. So the read rules (`mcp.read`) judge it as well as the completion rules. Fail closed:
// - refused before it is forwarded when a read would be refused of the template as written, of its
//   literal prefix (`secret://files/` for `secret://files/{name}`: every URI the template makes
//   starts there, so a rule on that prefix covers them all), or of the template filled with the
//   typed value (and the context's other arguments);
// - of the answer, each offered value whose URI a read rule refuses is withheld (recorded as such):
//   a rule on `^vault://beta` keeps `beta-keys` out of the list a completion of `vault://{name}` shows.
// A variable no value is known for stays as written, so a rule on a URI only another argument's
// value makes is not met by that reading; the prefix reading still is, when it reaches that far.
// Until 6 December read rules held reads and subscriptions only
// (test/mcp/attacker-night-completions.test.ts).
import { VigilError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { isObject, type JsonRpcMessage } from './jsonrpc.js';
import { readRefusedBy } from './read-judgement.js';

/** RFC 6570 expressions: an operator, then variables (`{name}`, `{+path}`, `{/a,b}`, `{?q*}`). */
const EXPRESSION = /\{([+#./;?&]?)([^{}]*)\}/g;
const FIRST: Readonly<Record<string, string>> = {
  '#': '#',
  '.': '.',
  '/': '/',
  ';': ';',
  '?': '?',
  '&': '&',
};
const JOIN: Readonly<Record<string, string>> = { '.': '.', '/': '/', ';': ';', '?': '&', '&': '&' };
const NAMED = new Set([';', '?', '&']);

/** The template with each variable `values` knows filled in, unencoded (as a handler reads it); others stay as written. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(EXPRESSION, (whole, op: string, list: string) => {
    const names = list.split(',').map((v) => v.trim().replace(/(\*|:\d+)$/, ''));
    const known = names.filter((n) => Object.hasOwn(values, n));
    if (known.length === 0) return whole;
    const parts = known.map((n) => (NAMED.has(op) ? `${n}=${values[n]}` : values[n]!));
    return (FIRST[op] ?? '') + parts.join(JOIN[op] ?? ',');
  });
}

/** What a completion asks about a resource template: the template, the argument and its value, the context's arguments. */
interface TemplateAsk {
  readonly template: string;
  readonly argument: string;
  readonly value: string;
  readonly context: Readonly<Record<string, string>>;
}

/** The template a completion names, or null for a prompt's. A ref of any type that carries a `uri` counts (fail closed). */
function templateAsk(params: JsonObject): TemplateAsk | null {
  const ref = isObject(params.ref) ? params.ref : {};
  if (typeof ref.uri !== 'string') return null;
  const argument = isObject(params.argument) ? params.argument : {};
  const given =
    isObject(params.context) && isObject(params.context.arguments) ? params.context.arguments : {};
  const context = Object.fromEntries(
    Object.entries(given).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return {
    template: ref.uri,
    argument: typeof argument.name === 'string' ? argument.name : '',
    value: typeof argument.value === 'string' ? argument.value : '',
    context,
  };
}

/** The URI one value of the argument makes. */
function uriOf(ask: TemplateAsk, value: string): string {
  return fillTemplate(ask.template, { ...ask.context, [ask.argument]: value });
}

/** What the read rules add to one completion/complete (dispatch.ts). */
export interface CompletionReads {
  /** Set when a read rule refuses the completion itself. */
  readonly refusal: VigilError | null;
  /** The answer as the client may see it: offered values whose URI a read rule refuses left out. */
  readonly onAnswer: (answer: JsonRpcMessage) => Promise<JsonRpcMessage>;
  /** For the answer's record: the values withheld, each with the rule (empty when none). */
  readonly withheld: () => JsonObject;
}

/** The template as written and its literal prefix (every URI it makes starts there): what a read rule on all its URIs meets. */
export function templateReadings(template: string): [string, string] {
  const start = template.indexOf('{');
  return [template, start < 0 ? template : template.slice(0, start)];
}

export function completionReads(session: ModuleSession, params: JsonObject): CompletionReads | null {
  const ask = templateAsk(params);
  if (ask === null) return null;
  const rule = readRefusedBy(session, [...templateReadings(ask.template), uriOf(ask, ask.value)]);
  const refusal =
    rule === null
      ? null
      : new VigilError(
          'policy_denied',
          `denied by rule ${rule}: a read of the URIs this template makes is refused`,
          {
            details: { rule },
          },
        );
  const withheld: JsonObject[] = [];
  return {
    refusal,
    withheld: (): JsonObject => (withheld.length > 0 ? { withheld } : {}),
    onAnswer: async (answer): Promise<JsonRpcMessage> => {
      if (answer.kind !== 'response' || !isObject(answer.result.completion)) return answer;
      const completion = answer.result.completion;
      if (!Array.isArray(completion.values)) return answer;
      const kept: JsonValue[] = [];
      for (const value of completion.values) {
        // A value that is not text makes no URI the rules can read: withheld (fail closed).
        const by =
          typeof value === 'string' ? readRefusedBy(session, [uriOf(ask, value)]) : 'protocol_violation';
        if (by === null) kept.push(value);
        else withheld.push({ value, rule: by });
      }
      if (withheld.length === 0) return answer;
      // `total` counts what the server has: less what is withheld, so it does not tell how many.
      const shown: JsonObject = { ...completion, values: kept };
      if (typeof completion.total === 'number') {
        shown.total = Math.max(kept.length, completion.total - withheld.length);
      }
      return {
        ...answer,
        result: { ...answer.result, completion: shown },
      };
    },
  };
}
