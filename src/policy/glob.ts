// The `*` globs of policy match fields (connections, tables, models, tools).

/** A `*` glob (any run of characters, none included); everything else is literal. */
export function globMatcher(glob: string, caseInsensitive: boolean): (value: string) => boolean {
  const source = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
  return (value) => regex.test(value);
}
