// PostgreSQL keeps options and per-role settings as text arrays of `name=value` elements and shows
// them so: `pg_user_mappings.umoptions` is `{user=app,"password=copper kettle morning"}`,
// `pg_db_role_setting.setconfig` is `{my.api_key=…}`, and foreign servers' and subscriptions' options
// read the same. The column (`umoptions`) names nothing secret and the password-assignment rule stops
// at the first space, so a password of words was recorded but for its first word. An element whose
// name is secret has its value masked whole, as a column of that name would be.

export interface OptionSpan {
  /** The value's characters in the cell, escapes included, without the element's quotes. */
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/** Whether a cell can be such an array: checked before reading it, on every text cell of a result. */
export function mayBeOptionArray(cell: string): boolean {
  return (
    cell.length > 3 &&
    cell.charCodeAt(0) === 0x7b &&
    cell.charCodeAt(cell.length - 1) === 0x7d &&
    cell.includes('=')
  );
}

/** The values of the array's `name=value` elements whose name is secret; none if it is not such an array. */
export function secretOptionSpans(cell: string, secret: (name: string) => boolean): OptionSpan[] {
  const spans: OptionSpan[] = [];
  const last = cell.length - 1;
  let i = 1;
  while (i < last) {
    const quoted = cell[i] === '"';
    const from = quoted ? i + 1 : i;
    let end = from;
    if (quoted) {
      while (end < last && cell[end] !== '"') end += cell[end] === '\\' ? 2 : 1;
    } else {
      while (end < last && cell[end] !== ',') end++;
    }
    end = Math.min(end, last);
    const eq = cell.indexOf('=', from);
    if (eq > from && eq < end) {
      const name = cell.slice(from, eq);
      if (secret(name) && end > eq + 1) spans.push({ start: eq + 1, end, name });
    }
    i = quoted ? end + 1 : end;
    if (cell[i] === ',') i++;
    else if (i < last) return [];
  }
  return spans;
}
