// Statement kinds that only read: the classifier marks every other kind as a write, and a read-only
// connection allows these and nothing else.
export const READ_ONLY_KINDS = [
  'SELECT',
  'SHOW',
  'EXPLAIN',
  'TRANSACTION',
  'DECLARE',
  'FETCH',
  'CLOSE',
  'DEALLOCATE',
  'DISCARD',
  'LISTEN',
  'UNLISTEN',
] as const;
