// Fields written inside one word of a shell line: a JSON body (`curl -d '{"api_key": "…"}'`), a
// form or a URL's query (`curl "https://h/v1?access_token=…"`), a `name: value` or `NAME=value`
// echoed into a file (`echo "password: …" >> config.yml`), an XML element, `-var 'NAME=value'`
// (`terraform apply -var='api_token=…'`, `helm --set db.apiToken=…`), and a header given through
// git's `-c http.extraheader="Authorization: …"`. shell-line.ts reads options and variables by
// their words; the content of a word was left to the text rules, which miss a value of words, or
// one that does not look random, under any name but `password` (recorded in clear until 6 December).
import { embeddedFieldSpans, fieldSecret } from './embedded-fields.js';
import type { SecretNameMatcher } from './secret-names.js';
import type { ShellSecretSpan } from './shell-line.js';
import { offsetInWord, type ShellWord } from './shell-positional.js';

/** Words longer than this are left to the text rules (a heredoc's body is read line by line). */
const MAX_WORD = 64 * 1024;
/** `NAME=value` after an option's `=` or as an argument: NAME may be dotted (`auth.apiToken`). */
const NAMED_VALUE = /^([A-Za-z_][A-Za-z0-9_.-]{0,127})=(?=.)/;

export function wordFieldSpans(
  line: string,
  ws: readonly ShellWord[],
  secretName: SecretNameMatcher,
): ShellSecretSpan[] {
  const out: ShellSecretSpan[] = [];
  const map = (w: ShellWord, offset: number, start: number, end: number, name: string) => {
    if (end <= start) return;
    const from = offsetInWord(line, w, offset + start);
    const to = offsetInWord(line, w, offset + end - 1) + 1;
    if (to > from) out.push({ start: from, end: to, name });
  };
  for (const w of ws) {
    const text = w.text;
    if (text.length < 5 || text.length > MAX_WORD) continue;
    // An option's value after its `=` (`-var=NAME=value`, `--data=…`), or the word itself.
    const eq = text.startsWith('-') ? text.indexOf('=') : -1;
    const offset = eq >= 0 ? eq + 1 : 0;
    const body = text.slice(offset);
    const named = NAMED_VALUE.exec(body);
    if (named && !named[1]!.endsWith('.') && secretName(named[1]!) && named[1]!.includes('.')) {
      // A dotted NAME=value (`auth.apiToken=…`); plain names are read by shell-line.ts.
      if (fieldSecret(named[1]!, body.slice(named[0].length)))
        map(w, offset, named[0].length, body.length, named[1]!);
      continue;
    }
    if (named && offset > 0 && secretName(named[1]!)) {
      if (fieldSecret(named[1]!, body.slice(named[0].length)))
        map(w, offset, named[0].length, body.length, named[1]!);
      continue;
    }
    const header =
      /^[\w.-]*extraheader=([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(?:(?:Bearer|Basic|Token)[ \t]+)?/i.exec(
        text,
      );
    if (header) {
      if (secretName(header[1]!)) map(w, 0, header[0].length, text.length, `header ${header[1]}`);
      continue;
    }
    const first = body[0];
    const query = first !== '{' && first !== '[' && first !== '<' ? body.indexOf('?') : -1;
    if (query >= 0 && body.includes('=', query)) {
      const hash = body.indexOf('#', query);
      const q = body.slice(query + 1, hash < 0 ? body.length : hash);
      for (const f of embeddedFieldSpans(q, secretName)) map(w, offset + query + 1, f.start, f.end, f.name);
      continue;
    }
    if (!/[{:<=]/.test(body)) continue;
    for (const f of embeddedFieldSpans(body, secretName)) map(w, offset, f.start, f.end, f.name);
  }
  return out;
}
