// Which top-level command the words after `vigil` run, read the way commander reads them, so that
// main.ts loads that command's module alone (catalog.ts). Root options are skipped with their
// values; the first other word is the command. `vigil help NAME` asks for NAME's help.

/** Root options that take a value in the next word (`-c FILE`, `--data DIR`). */
const TAKES_VALUE = new Set(['-c', '--config', '--data']);

/** The command the words name, or null when they name none (`vigil --help`, `vigil --version`, `vigil`). */
export function requestedCommand(words: readonly string[]): string | null {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--') return words[i + 1] ?? null;
    if (TAKES_VALUE.has(word)) {
      i++;
      continue;
    }
    // `--config=FILE`, `-cFILE`, `--help`, `-V` and options unknown here, which commander refuses.
    if (word.startsWith('-') && word !== '-') continue;
    if (word === 'help') {
      const next = words[i + 1];
      return next !== undefined && !next.startsWith('-') ? next : null;
    }
    return word;
  }
  return null;
}
