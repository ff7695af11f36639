// A statement's derived result positions (sql-derived-columns.ts) read as each server may read its
// strings. A MySQL connection's statement read only the PostgreSQL way hid a renamed password in
// what that reading takes for a string or no comment: `SELECT '\'', password AS p FROM users -- '`
// (MySQL reads `'\''` as one string, so `password AS p` is an item), `SELECT 1, #'` and a new line
// (`#` starts a MySQL comment), `SELECT "a\"", password AS p …`. The server named the column `p`,
// and its cells were recorded in clear until 6 December. Read both ways where the readings differ,
// the positions either finds are withheld (errs on masking). A statement that reads column
// statistics or a catalog's defaults and may name a value as a column that describes them has every
// position withheld (sql-statistics-renames.ts).
import {
  ALL_POSITIONS,
  type DerivedPositions,
  derivedSecretPositions,
  unitePositions,
} from './sql-derived-columns.js';
import { renamesColumnValues } from './sql-statistics-renames.js';
import { readingsDiffer, type SqlReading } from './sql-tokens.js';

/** A PostgreSQL connection reads strings one way; any other (MySQL's, one not known) both. */
export const STANDARD_ONLY: readonly SqlReading[] = ['standard'];
export const BOTH_READINGS: readonly SqlReading[] = ['standard', 'mysql'];

/** The positions `derivedSecretPositions` finds under each of `readings` that may differ, united. */
export function derivedRead(
  statement: string,
  secret: (name: string) => boolean,
  known: Iterable<string>,
  readings: readonly SqlReading[],
): DerivedPositions | null {
  if (renamesColumnValues(statement, readings)) return ALL_POSITIONS;
  const names = [...known];
  let found = derivedSecretPositions(statement, secret, names, readings[0] ?? 'standard');
  if (found?.all || readings.length < 2 || !readingsDiffer(statement)) return found;
  for (const reading of readings.slice(1)) {
    const other = derivedSecretPositions(statement, secret, names, reading);
    if (other?.all) return ALL_POSITIONS;
    if (other !== null) found = unitePositions(found ?? undefined, other);
  }
  return found;
}
