// One MySQL statement through node-sql-parser (MySQL mode): the parser's tree and table list, or
// null when it cannot read the text even respelled (parser-spelling.ts). Pure apart from loading
// the parser: run on the gateway in a worker thread (parse-worker.ts, parser-pool.ts), since the
// parser's time is exponential in some nestings; run in process by `vigil policy test` and tests.
import { createRequire } from 'node:module';
import { parserSpelling } from './parser-spelling.js';

/** What the classifier reads of a parse; plain data, so it crosses a worker's message port. */
export interface ParsedStatement {
  readonly ast: unknown;
  readonly tableList: string[];
}

interface SqlParser {
  parse(text: string, options: typeof OPTIONS): unknown;
}
const OPTIONS = { database: 'mysql' } as const;
let loadedParser: SqlParser | null = null;

/**
 * Loaded on first use, not at import: the parser costs about 200 ms to load, and every CLI start
 * imports the module list. Only the MySQL dialect's build: half the load time of the all-dialect entry.
 */
function parser(): SqlParser {
  if (loadedParser === null) {
    const { Parser } = createRequire(import.meta.url)('node-sql-parser/build/mysql.js') as {
      Parser: new () => SqlParser;
    };
    loadedParser = new Parser();
  }
  return loadedParser;
}

/** The parse of `text`, else of its respelling for the parser, else null. */
export function parseStatement(text: string): ParsedStatement | null {
  try {
    return parser().parse(text, OPTIONS) as ParsedStatement;
  } catch {
    // Syntax the server runs and the parser refuses, respelled for the parser (parser-spelling.ts).
    const respelled = parserSpelling(text);
    if (respelled === null) return null;
    try {
      return parser().parse(respelled, OPTIONS) as ParsedStatement;
    } catch {
      return null;
    }
  }
}
