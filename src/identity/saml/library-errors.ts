// node-saml reports every refusal as a plain Error with a message; this maps them onto Vigil's stable
// codes. Checks Vigil makes itself throw VigilErrors and pass through unchanged.
import { SamlStatusError } from '@node-saml/node-saml';
import { VigilError } from '../../core/errors.js';

const RULES: ReadonlyArray<readonly [RegExp, VigilError['code'], string]> = [
  [
    /multiple assertions|Too many signatures|too many transforms|more than one element|refer to it's parent|Only 1 signed/i,
    'saml_wrapped',
    'the Response is shaped so that a signature could vouch for another element',
  ],
  [
    /signature/i,
    'saml_signature_invalid',
    "the signature does not verify with the identity provider's certificate",
  ],
  [
    /InResponseTo/,
    'saml_in_response_to',
    'the Response answers no sign-in this gateway started, or one that expired',
  ],
  [
    /expired|not yet valid|too old|subject confirmation/i,
    'saml_expired',
    'the assertion is expired or not yet valid',
  ],
  [/audience/i, 'saml_audience', 'the assertion is meant for another service provider'],
];

export function samlRefusal(err: unknown): VigilError {
  if (err instanceof VigilError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  if (err instanceof SamlStatusError)
    return new VigilError('saml_invalid', `the identity provider refused the sign-in: ${reason}`, {
      cause: err,
    });
  for (const [pattern, code, message] of RULES)
    if (pattern.test(reason)) return new VigilError(code, `${message} (${reason})`, { cause: err });
  return new VigilError('saml_invalid', `the SAML Response was refused: ${reason}`, { cause: err });
}
