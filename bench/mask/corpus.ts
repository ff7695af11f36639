// A deterministic mixed corpus for the masking benchmark: chat prompts, source code, service logs
// and JSON rows, with a synthetic secret or personal datum in about one line in forty.
import { ALPHABETS, luhnNumber, seededRandom, synth } from '../../src/mask/synthetic.js';

const PROMPTS = [
  'Can you explain why this query is slow? It scans the orders table even though there is an index on customer_id.',
  'Summarise the following incident report in three bullet points for the weekly review.',
  'Write a function that parses ISO 8601 durations and returns the number of milliseconds.',
  'The deployment failed with exit code 137 after 12 minutes; what usually causes that in Kubernetes?',
];
const CODE = [
  'export async function fetchUser(id: string): Promise<User | null> {',
  '  const rows = await db.query("SELECT id, name, plan FROM users WHERE id = $1", [id]);',
  '  if (rows.length === 0) return null;',
  '  return { id: rows[0].id, name: rows[0].name, plan: rows[0].plan };',
  '}',
  'for (let i = 0; i < items.length; i++) total += items[i].price * items[i].quantity;',
];
const LOGS = [
  '2024-05-01T10:22:13.123Z INFO  http request method=GET path=/api/v1/orders status=200 duration_ms=12',
  '2024-05-01T10:22:13.456Z WARN  pool exhausted waiting=3 max=20 host=db-primary',
  '2024-05-01T10:22:14.001Z ERROR job failed id=8812 attempt=2 error="timeout after 30000ms"',
];

function jsonRow(next: () => number): string {
  const id = Math.floor(next() * 1e6);
  return JSON.stringify({
    id,
    created_at: '2024-03-09T12:00:00Z',
    status: next() < 0.5 ? 'active' : 'trial',
    plan: 'team',
    seats: Math.floor(next() * 50),
    region: 'eu-west-1',
    note: 'renewal pending review',
    score: Math.round(next() * 1000) / 10,
  });
}

function secretLine(next: () => number, i: number): string {
  const seed = `bench-${i}`;
  switch (Math.floor(next() * 8)) {
    case 0:
      return `OPENAI_API_KEY=sk-proj-${synth(100, ALPHABETS.urlSafe, seed)}`;
    case 1:
      return `DATABASE_URL=postgres://app:${synth(16, ALPHABETS.alnum, seed)}@db.internal:5432/app`;
    case 2:
      return `Contact ${synth(6, 'abcdefgh', seed)}@example.com about the invoice`;
    case 3:
      return `aws_access_key_id = AKIA${synth(16, ALPHABETS.upperDigits, seed)}`;
    case 4:
      return `curl -H "Authorization: Bearer ${synth(40, ALPHABETS.alnum, seed)}" https://api.example.com`;
    case 5:
      return `{"card": "${luhnNumber('4', 16, seed)}", "amount": 12.5}`;
    case 6:
      return `GITHUB_TOKEN=ghp_${synth(36, ALPHABETS.alnum, seed)}`;
    default:
      return `password: ${synth(12, ALPHABETS.alnum, seed)}`;
  }
}

/** About `bytes` characters of mixed text. */
export function mixedCorpus(bytes: number): string {
  const next = seededRandom(42);
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const r = next();
    const line =
      r < 0.025
        ? secretLine(next, i)
        : r < 0.3
          ? PROMPTS[i % PROMPTS.length]!
          : r < 0.55
            ? CODE[i % CODE.length]!
            : r < 0.8
              ? LOGS[i % LOGS.length]!
              : jsonRow(next);
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

/** Database result rows of eight columns, as the postgres adapter records them. */
export function databaseRows(count: number): Record<string, string | number | boolean | null>[] {
  const next = seededRandom(7);
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    email: `user${i}@example.com`,
    name: `Customer ${i}`,
    plan: next() < 0.5 ? 'team' : 'enterprise',
    created_at: '2024-03-09T12:00:00Z',
    active: next() < 0.9,
    note: i % 50 === 0 ? `password=${synth(12, ALPHABETS.alnum, `row${i}`)}` : 'no issues reported',
    balance: Math.round(next() * 100000) / 100,
  }));
}
