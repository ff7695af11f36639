// An identity's name where a reader decides by it: who asked on an approval card, who holds a grant,
// whose session a list row or a session page is. A name that may pass for another (name-scripts.ts:
// mixed scripts, look-alike letters, compatibility forms) is drawn as recorded and followed by a
// warning that names each odd character with its code point, so `аudrey` (Cyrillic `а`) is not read
// as `audrey`.
import { flagName, type NameFlags } from '../name-scripts';
import { InertLine } from './InertText';

function describe(flags: NameFlags): React.ReactNode {
  return (
    <>
      {flags.mixedScripts ? `mixes scripts (${flags.mixedScripts.join(', ')})` : 'may pass for another name'}
      {flags.readsAs !== null && (
        <>
          {' '}
          (every letter looks Latin: reads as <code>{flags.readsAs}</code>)
        </>
      )}
      {flags.characters.length > 0 && ': '}
      {flags.characters.map((c, i) => (
        <span key={c.code} data-code={c.code}>
          {i > 0 ? ', ' : ''}
          <code>
            <bdi>{c.looksLike === ' ' ? '' : c.char}</bdi>
          </code>{' '}
          {c.code} {c.script}
          {c.looksLike !== null && (
            <>
              {' '}
              (looks like <code>{c.looksLike === ' ' ? 'a space' : c.looksLike}</code>)
            </>
          )}
        </span>
      ))}
    </>
  );
}

/** The warning as plain text, for a title. */
function summary(flags: NameFlags): string {
  const head = flags.mixedScripts
    ? `mixes scripts (${flags.mixedScripts.join(', ')})`
    : 'may pass for another name';
  const chars = flags.characters.map(
    (c) => `${c.code} ${c.script}${c.looksLike !== null ? ` (looks like ${c.looksLike})` : ''}`,
  );
  return `This name ${head}${chars.length > 0 ? `: ${chars.join(', ')}` : ''}`;
}

/**
 * The name as recorded, and after it, when it may pass for another, a warning on the same line;
 * `compact` (a list row of fixed height) names only the code points, the whole warning as its title.
 */
export function IdentityName({ name, compact = false }: { name: string; compact?: boolean }) {
  const flags = flagName(name);
  return (
    <>
      <span data-testid="identity-name" data-flagged={flags ? 'true' : undefined}>
        <InertLine text={name} />
      </span>
      {flags && (
        <span className="error identity-warning" data-testid="identity-look-alike">
          {' '}
          {compact ? (
            <span title={summary(flags)}>
              ⚠ {flags.characters.map((c) => c.code).join(' ') || 'mixed scripts'}
            </span>
          ) : (
            <>⚠ this name {describe(flags)}</>
          )}
        </span>
      )}
    </>
  );
}

/** Who asked for a decision, and, when the name may pass for another, a warning the reviewer reads before deciding. */
export function RequesterWarning({ name }: { name: string }) {
  const flags = flagName(name);
  if (!flags) return null;
  return (
    <p className="error" role="alert" data-testid="requester-look-alike">
      The requester's name {describe(flags)}. It may be made to pass for someone you trust: check who asked
      before deciding.
    </p>
  );
}
