// `vigil policy test --request "METHOD /path?query"`: the http.request an HTTP-API connection's
// adapter would submit, so path rules and policy patterns can be tried before they are deployed.
import { VigilError } from '../../core/errors.js';
import type { SampleAction } from '../module.js';
import { structuralReadings } from './path-rules.js';

export const requestSample: SampleAction = {
  option: 'request',
  description: 'a request on an HTTP API connection, "METHOD /path?query" (an http.request)',
  async build(_connection, text) {
    const m = /^([A-Za-z]+)\s+(\/[^?\s]*)(\?\S*)?$/.exec(text.trim());
    if (!m) throw new VigilError('usage', '--request must look like "GET /path?query"');
    const [path, ...others] = structuralReadings(m[2]!);
    return {
      type: 'http.request',
      payload: {
        request_id: 'policy-test',
        method: m[1]!.toUpperCase(),
        path: path!,
        ...(others.length > 0 ? { alternate_paths: others } : {}),
        query: m[3] ?? '',
        content_type: null,
        body: { bytes: 0, text: '' },
        trace: null,
      },
    };
  },
};
