// Whether Vigil can judge a classified text as the server will run it. What it cannot is refused
// before policy sees it (fail closed), for COM_QUERY and COM_STMT_EXECUTE alike.
import { VigilError } from '../../core/errors.js';
import { checkPinnedSettings } from './pinned-settings.js';
import { type Classification, UNKNOWN_KIND } from './sql-classifier.js';

/**
 * Why a classified text cannot be judged: text Vigil cannot read as the server will, a parse that
 * outlasted its time limit or was refused a place in the parser's queue, a pinned setting, text Vigil cannot see, or no parse (the last two unless the connection allows unknown
 * statements). Null when policy may judge it.
 */
export function unjudgeable(c: Classification, allowUnknownStatements: boolean): VigilError | null {
  if (c.unreadable) return new VigilError('statement_uncertain', c.unreadable);
  if (c.tooComplex) return new VigilError(c.parseRefusal ?? 'statement_too_complex', c.tooComplex);
  for (const tokens of c.tokens) {
    const pinned = checkPinnedSettings(tokens);
    if (pinned) return pinned;
  }
  if (allowUnknownStatements) return null;
  if (c.uncertain) return new VigilError('statement_uncertain', c.uncertain);
  if (c.statements.some((s) => s.kind === UNKNOWN_KIND))
    return new VigilError('statement_uncertain', 'the statement does not parse, so Vigil cannot judge it');
  return null;
}
