// Every link between the README and docs/ reaches its file and heading, and every repository path
// the documentation names exists: a renamed heading or a moved file fails here, not for a reader
// who follows the link to the top of the wrong page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokenReferences, type DocFiles, documentationFiles, headingAnchors } from './doc-links.js';

test('anchors are spelled as GitHub spells them', () => {
  const anchors = headingAnchors(
    [
      '# Policy',
      '## The record is the server’s view',
      '### `vigil verify` (offline)',
      '## Notes',
      '```sh',
      '# not a heading',
      '```',
      '## Notes',
      '## Access requests and grants',
    ].join('\n'),
  );
  assert.deepEqual(
    [...anchors],
    [
      'policy',
      'the-record-is-the-servers-view',
      'vigil-verify-offline',
      'notes',
      'notes-1',
      'access-requests-and-grants',
    ],
  );
});

test('a missing file, a missing heading and a missing repository path are each found', () => {
  const files: Record<string, string> = {
    'README.md': [
      'See [postgres](docs/postgres.md#guardrails) and [gone](docs/gone.md).',
      'Also docs/postgres.md#no-such-heading, `src/nowhere.ts` and [here](#top).',
      'Started by src/demo/gone.ts (see src/demo/here.ts).',
      '```sh',
      '[not a link](docs/also-gone.md)',
      '```',
      '# Top',
    ].join('\n'),
    'docs/postgres.md': '# PostgreSQL\n## Guardrails\nBack to [the README](../README.md#top).',
    'src/demo/here.ts': '',
  };
  const fs: DocFiles = {
    exists: (p) => p in files,
    isDirectory: () => false,
    read: (p) => files[p]!,
  };
  const found = brokenReferences(['README.md', 'docs/postgres.md'], fs).map(
    (b) => `${b.file}:${b.line} ${b.problem}`,
  );
  assert.deepEqual(found, [
    'README.md:1 no file docs/gone.md',
    'README.md:2 no heading #no-such-heading in docs/postgres.md',
    'README.md:2 no file src/nowhere.ts',
    'README.md:3 no file src/demo/gone.ts',
  ]);
});

test('every link, anchor and repository path in the README and docs/ resolves', () => {
  const files = documentationFiles();
  assert.ok(files.length > 20, `only ${files.length} documentation files found`);
  const broken = brokenReferences(files).map((b) => `${b.file}:${b.line}: ${b.reference}: ${b.problem}`);
  assert.deepEqual(broken, []);
});
