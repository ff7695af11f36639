// Integers a double cannot hold. JSON.parse rounds `4111111111111111111` to 4111111111111111000,
// and policy and the record read that rounding, while the upstream reads the digits sent: Python
// (the openai and anthropic reference servers, vLLM, LiteLLM) and Go keep an integer exact, and a
// model reads a tool schema's `default` or `enum` as the text it was written as. A denied number of
// nineteen digits reached the model so. A body writing an integer beyond 2^53 is refused; one that
// a double holds exactly is read alike by every parser.
import { VigilError } from '../../core/errors.js';
import { closingQuote } from '../../http/json-depth.js';

const QUOTE = 0x22;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** The digits of Number.MAX_SAFE_INTEGER: an integer written with fewer is always exact. */
const SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= NINE;
}

/** Whether a byte can continue a JSON number (digits, sign, point, exponent). */
function inNumber(byte: number | undefined): boolean {
  return isDigit(byte) || byte === MINUS || byte === 0x2b || byte === 0x2e || byte === 0x45 || byte === 0x65;
}

/**
 * Throws body_invalid_json (details `reason: integer_out_of_range`) when the JSON text `raw` (already
 * parsed, so well-formed) writes an integer outside ±(2^53 - 1). A number with a fraction or an
 * exponent is a double to every reader, and read alike; strings (keys too) are skipped.
 */
export function assertExactIntegers(raw: Buffer): void {
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte === QUOTE) {
      i = closingQuote(raw, i + 1);
      continue;
    }
    if (!isDigit(byte) && byte !== MINUS) continue;
    let end = i;
    let integer = true;
    while (inNumber(raw[end])) {
      if (!isDigit(raw[end]) && !(end === i && raw[end] === MINUS)) integer = false;
      end++;
    }
    const token = raw.toString('latin1', i, end);
    const digits = token.startsWith('-') ? token.length - 1 : token.length;
    if (integer && digits >= SAFE_DIGITS && !Number.isSafeInteger(Number(token))) {
      throw new VigilError(
        'body_invalid_json',
        'the request body writes an integer too large to be read exactly by every JSON reader',
        { details: { reason: 'integer_out_of_range' } },
      );
    }
    i = end - 1;
  }
}
