import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { fileReadings } from './file-readings.js';

const all = (r: { text: string; alternates: string[] }) => [r.text, ...r.alternates];

test('a path reads as the host resolves it, with the form sent beside it', () => {
  assert.deepEqual(fileReadings('upload', '/srv/../etc/passwd', ''), {
    text: 'upload /etc/passwd',
    alternates: ['upload /srv/../etc/passwd'],
  });
  assert.equal(fileReadings('download', '//etc/./shadow', '').text, 'download /etc/shadow');
  assert.deepEqual(fileReadings('upload', '/etc/passwd', ''), { text: 'upload /etc/passwd', alternates: [] });
  // Relative to a login directory Vigil does not know: climbing is read as reaching the root too.
  assert.deepEqual(all(fileReadings('upload', 'a/../../../etc/cron.d/x', '')), [
    'upload ../../etc/cron.d/x',
    'upload /etc/cron.d/x',
    'upload a/../../../etc/cron.d/x',
  ]);
});

test('rename, symlink and hardlink are read as the writes and reads they make possible', () => {
  const rename = fileReadings('rename', '/tmp/evil', '/etc/cron.d/evil');
  assert.equal(rename.text, 'rename /tmp/evil');
  assert.ok(rename.alternates.includes('upload /etc/cron.d/evil'));
  assert.ok(rename.alternates.includes('remove /tmp/evil'));
  assert.ok(rename.alternates.includes('rename /tmp/evil /etc/cron.d/evil'));
  const link = fileReadings('hardlink', '/etc/shadow', '/tmp/s');
  assert.ok(link.alternates.includes('download /etc/shadow'));
  assert.ok(link.alternates.includes('upload /tmp/s'));
  assert.ok(fileReadings('symlink', '/tmp/../etc/shadow', 'x').alternates.includes('download /etc/shadow'));
});

test('property: the text is the path as posix.normalize resolves it; other readings are resolved too, or the path as sent', () => {
  const segment = fc.constantFrom('etc', 'srv', 'a b', '.', '..', '', 'passwd');
  fc.assert(
    fc.property(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 8 }), (absolute, parts) => {
      const path = `${absolute ? '/' : ''}${parts.join('/')}`;
      const r = fileReadings('upload', path, '');
      const resolved = path === '' ? '' : posix.normalize(path);
      assert.equal(r.text, `upload ${resolved}`.trim());
      assert.ok(!r.alternates.includes(r.text));
      for (const alternate of r.alternates) {
        const p = alternate.slice('upload '.length);
        assert.ok(p === path || (posix.normalize(p) === p && p.startsWith('/')), alternate);
      }
    }),
  );
});

test('a link is a way to write its source too; a symbolic link may name a directory, and its relative source is read from its own directory', () => {
  const dir = fileReadings('symlink', '/etc', '/srv/open/door');
  assert.ok(dir.alternates.includes('upload /etc/'), 'a link to /etc meets a rule on ^upload /etc/');
  assert.ok(dir.alternates.includes('download /etc/'));
  assert.ok(fileReadings('hardlink', '/etc/passwd', '/tmp/p').alternates.includes('upload /etc/passwd'));
  const relative = fileReadings('symlink', '../vault/secret', '/srv/open/soft');
  assert.ok(relative.alternates.includes('download /srv/vault/secret'), relative.alternates.join(' | '));
  assert.ok(relative.alternates.includes('symlink /srv/vault/secret'));
  // A rename's source is removed, not written through.
  assert.ok(!fileReadings('rename', '/etc/x', '/tmp/x').alternates.includes('upload /etc/x'));
});

test('property: a symbolic link to a relative source is also read as the path the host resolves', () => {
  const segment = fc.constantFrom('etc', 'srv', 'vault', '.', '..', 'secret');
  fc.assert(
    fc.property(
      fc.array(segment, { minLength: 1, maxLength: 6 }),
      fc.array(segment, { minLength: 1, maxLength: 6 }),
      (source, link) => {
        const from = source.join('/');
        const at = `/${link.join('/')}`;
        const all = [fileReadings('symlink', from, at).text, ...fileReadings('symlink', from, at).alternates];
        assert.ok(all.includes(`download ${posix.join(posix.dirname(at), from)}`), `${from} at ${at}`);
      },
    ),
  );
});
