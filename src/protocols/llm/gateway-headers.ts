// Headers by which an LLM gateway picks what it runs. A model connection's upstream is often not the
// provider but a gateway in front of it (LiteLLM, Portkey, Helicone, Cloudflare AI Gateway, an
// Envoy AI Gateway route), and those take the provider, the host to call, the model, body
// overrides and keys from request headers. Vigil judges and records the body, so a client's such
// header is dropped before the request is forwarded (headers.ts); a connection that needs one sets
// it in `upstream_headers`, which is applied after this.

/**
 * Whole header names a gateway routes by: onwards' `model-override` runs another target than the
 * body's `model`; Envoy AI Gateway and the Gateway API inference extension route on the model
 * header they would otherwise copy from the body.
 */
const GATEWAY_HEADERS: ReadonlySet<string> = new Set([
  'model-override',
  'x-ai-eg-model',
  'x-gateway-model-name',
]);

/**
 * Header families of LLM gateways. Portkey's `x-portkey-custom-host` with `x-portkey-provider` sends
 * the request, and the `Authorization` Vigil injects as the provider's key, to any host the client
 * names, and `x-portkey-config` can override the body's params (`override_params: {model}`) or pick
 * other targets; LiteLLM routes by `x-litellm-tags` and hands every `x-pass-<name>` on to the
 * provider as `<name>`; Helicone calls the host `Helicone-Target-Url` names; Cloudflare AI
 * Gateway reads `cf-aig-*`. Forwarded, a client ran a model a rule denied while the record named
 * the body's, or had the injected key sent to its own host (until 7 December).
 */
const GATEWAY_PREFIXES: readonly string[] = ['x-portkey-', 'x-litellm-', 'x-pass-', 'helicone-', 'cf-aig-'];

/** Whether a header name, lower case and dashed (cgiHeaderName), steers an LLM gateway. */
export function isGatewayControlHeader(read: string): boolean {
  return GATEWAY_HEADERS.has(read) || GATEWAY_PREFIXES.some((p) => read.startsWith(p));
}
