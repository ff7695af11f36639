// An identity's name where a reader decides by it: who asked on an approval card, who holds a grant,
// whose session a list row or a session page is. A name that may pass for another (name-scripts.ts:
// mixed scripts, look-alike letters, compatibility forms) is drawn as recorded and followed by a
// warning that names each odd character with its code point, so `аudrey` (Cyrillic `а`) is not read
// as `audrey`. A name of plain ASCII is marked too when another name the page shows reads the same
// (`aIice`, a capital I, beside `alice`: name-skeleton.ts); then both are marked, each naming the
// other, as neither alone says which one is real.
import { inertLine } from '../inert';
import { flagName, type NameFlags } from '../name-scripts';
import { InertLine } from './InertText';
import { useLookAlikeNames } from './ShownNames';

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

/** The other names on the page this one reads as, each drawn inert. */
function LooksLike({ names }: { names: readonly string[] }) {
  return (
    <span data-testid="look-alike-of">
      looks like{' '}
      {names.map((n, i) => (
        <span key={n}>
          {i > 0 ? ', ' : ''}
          <code data-testid="look-alike-name">
            <InertLine text={n} />
          </code>
        </span>
      ))}
      , {names.length > 1 ? 'other names' : 'another name'} on this page
    </span>
  );
}

/** What makes the name suspect: its own characters, the names it reads as, or both. */
function Reasons({ flags, likes }: { flags: NameFlags | null; likes: readonly string[] }) {
  return (
    <>
      {flags && describe(flags)}
      {flags && likes.length > 0 && '; it '}
      {likes.length > 0 && <LooksLike names={likes} />}
    </>
  );
}

/** The warning as plain text, for a title. */
function summary(flags: NameFlags | null, likes: readonly string[]): string {
  const parts: string[] = [];
  if (flags) {
    const head = flags.mixedScripts
      ? `mixes scripts (${flags.mixedScripts.join(', ')})`
      : 'may pass for another name';
    const chars = flags.characters.map(
      (c) => `${c.code} ${c.script}${c.looksLike !== null ? ` (looks like ${c.looksLike})` : ''}`,
    );
    parts.push(`${head}${chars.length > 0 ? `: ${chars.join(', ')}` : ''}`);
  }
  if (likes.length > 0)
    parts.push(`looks like ${likes.map(inertLine).join(', ')}, shown on this page as another identity`);
  return `This name ${parts.join('; it ')}`;
}

/**
 * The name as recorded, and after it, when it may pass for another, a warning on the same line;
 * `compact` (a list row of fixed height) names only the code points, the whole warning as its title.
 */
export function IdentityName({ name, compact = false }: { name: string; compact?: boolean }) {
  const flags = flagName(name);
  const likes = useLookAlikeNames(name);
  const marked = flags !== null || likes.length > 0;
  return (
    <>
      <span data-testid="identity-name" data-flagged={marked ? 'true' : undefined}>
        <InertLine text={name} />
      </span>
      {marked && (
        <span className="error identity-warning" data-testid="identity-look-alike">
          {' '}
          {compact ? (
            <span title={summary(flags, likes)}>
              ⚠ {flags && (flags.characters.map((c) => c.code).join(' ') || 'mixed scripts')}
              {flags && likes.length > 0 && ' '}
              {likes.length > 0 && <CompactLooksLike names={likes} />}
            </span>
          ) : (
            <>
              ⚠ this name <Reasons flags={flags} likes={likes} />
            </>
          )}
        </span>
      )}
    </>
  );
}

/** In a row of fixed height: the first name this one reads as, and how many more. */
function CompactLooksLike({ names }: { names: readonly string[] }) {
  return (
    <span data-testid="look-alike-of">
      looks like{' '}
      <code data-testid="look-alike-name">
        <InertLine text={names[0]!} />
      </code>
      {names.length > 1 ? ` +${names.length - 1}` : ''}
    </span>
  );
}

/** Who asked for a decision, and, when the name may pass for another, a warning the reviewer reads before deciding. */
export function RequesterWarning({ name }: { name: string }) {
  const flags = flagName(name);
  // The card draws the requester's name itself: it is one of the names the page shows.
  const likes = useLookAlikeNames(name);
  if (!flags && likes.length === 0) return null;
  return (
    <p className="error" role="alert" data-testid="requester-look-alike">
      The requester's name <Reasons flags={flags} likes={likes} />. It may be made to pass for someone you
      trust: check who asked before deciding.
    </p>
  );
}
