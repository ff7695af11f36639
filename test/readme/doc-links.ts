// The references between the README and docs/: Markdown links (`[text](docs/x.md#anchor)`), bare
// `docs/x.md#anchor` mentions in prose, and backticked repository paths (`src/core/errors.ts`).
// Each must name a file that exists and, with `#anchor`, a heading of that file, spelled as GitHub
// spells heading anchors. Text inside fenced code blocks is an example, not a reference.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

export interface BrokenReference {
  readonly file: string;
  readonly line: number;
  readonly reference: string;
  readonly problem: string;
}

/** Where documentation reads a file or heading from: the repository's files, or a test's own. */
export interface DocFiles {
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  read(path: string): string;
}

export const repositoryFiles: DocFiles = {
  exists: (path) => existsSync(path),
  isDirectory: (path) => statSync(path).isDirectory(),
  read: (path) => readFileSync(path, 'utf8'),
};

/** The Markdown files whose references are checked: the README, docs/ and docs/adr/. */
export function documentationFiles(): string[] {
  const docs = readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const adr = readdirSync('docs/adr')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/adr/${f}`);
  return ['README.md', ...docs, ...adr].sort();
}

/** Each line outside fenced code blocks, with its 1-based number. */
function proseLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) out.push({ line: i + 1, text: line });
  });
  return out;
}

/**
 * The anchors GitHub gives a file's headings: lower case, punctuation dropped (letters, digits,
 * spaces, `-` and `_` kept), spaces as dashes; a repeated heading gets `-1`, `-2`, ...
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const slug = heading[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** A path written in a backticked span that stands for one file: no glob, no placeholder. */
const REPO_PATH = /^(?:src|test|docs|scripts|bench|web)\/[\w./-]*[\w/]$/;

export function brokenReferences(
  files: readonly string[],
  fs: DocFiles = repositoryFiles,
): BrokenReference[] {
  const broken: BrokenReference[] = [];
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (path: string): Set<string> => {
    let found = anchorsOf.get(path);
    if (!found) {
      found = headingAnchors(fs.read(path));
      anchorsOf.set(path, found);
    }
    return found;
  };
  const check = (
    file: string,
    line: number,
    reference: string,
    target: string,
    anchor: string | undefined,
  ) => {
    if (!fs.exists(target)) {
      broken.push({ file, line, reference, problem: `no file ${target}` });
      return;
    }
    if (anchor === undefined) return;
    if (fs.isDirectory(target)) broken.push({ file, line, reference, problem: `${target} is a folder` });
    else if (!anchors(target).has(anchor))
      broken.push({ file, line, reference, problem: `no heading #${anchor} in ${target}` });
  };
  for (const file of files) {
    for (const { line, text } of proseLines(fs.read(file))) {
      // Markdown links, read outside inline code (`[a](b)` in backticks is an example).
      const prose = text.replace(/`[^`]*`/g, '``');
      for (const [, href] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z][a-z+.-]*:/i.test(href!)) continue; // http:, https:, mailto:
        const [path, anchor] = href!.split('#') as [string, string | undefined];
        const target = path === '' ? file : normalize(join(dirname(file), path));
        check(file, line, href!, target, anchor);
      }
      // `docs/x.md#anchor` named in prose, relative to the repository root as the README writes it.
      for (const m of prose.matchAll(/(?<![\w/.(-])(docs\/[\w/-]+\.md)(?:#([\w-]+))?/g))
        check(file, line, m[0], m[1]!, m[2]);
      // A source file named in prose, `(src/demo/demo-postgres.ts)`, as the backticked ones below.
      for (const [path] of prose.matchAll(
        /(?<![\w/.-])(?:src|test|scripts|bench|web)\/[\w./-]*\w\.(?:[cm]?[jt]sx?|md|json)\b/g,
      ))
        check(file, line, path, path, undefined);
      for (const [, code] of text.matchAll(/`([^`\s]+)`/g)) {
        const path = code!.replace(/:\d+$/, '');
        if (REPO_PATH.test(path) && !path.includes('..')) check(file, line, code!, path, undefined);
      }
    }
  }
  return broken;
}
