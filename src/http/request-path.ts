// Reading where a request is going. Both steps can fail on what a client sends: `new URL` throws on
// an absolute-form target such as "http://[", decodeURIComponent on "%ff" (not UTF-8) or "%E0%A4%A".
// Left alone either surfaces as a 500; they are the client's error, uri_malformed. The messages never
// repeat the input.
import { VigilError } from '../core/errors.js';

/** The request target (`req.url`) as a URL; origin-form targets resolve against a placeholder host. */
export function parseRequestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://vigil.invalid');
  } catch {
    throw new VigilError('uri_malformed', 'the request target is not a valid URL');
  }
}

export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new VigilError('uri_malformed', 'the request path is not valid percent-encoded UTF-8');
  }
}
