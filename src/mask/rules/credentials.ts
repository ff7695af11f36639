// Credentials recognised by their shape or by the name they are assigned to: private keys, JWTs,
// passwords in connection strings and assignments, Authorization headers, generic secrets.
import { ci } from '../regex-text.js';
import { ALPHABETS, synth } from '../synthetic.js';
import type { DetectorRule } from '../types.js';

/** The most body elements (characters, escaped line breaks) masked at once; longer bodies go on in
 * further pieces. */
export const PEM_BODY_CHUNK = 3900;

const PEM_HEADER = '-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----';
const PEM_FOOTER = '-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----';
// Encrypted legacy PEM names its cipher in header lines right after BEGIN (RFC 1421).
const PEM_HEADER_LINE =
  '(?:\\r?\\n|\\\\r?\\\\n|[ \\t]){1,32}(?:Proc-Type|DEK-Info):[ \\t]?[A-Za-z0-9,-]{1,80}';
const PEM_SEPARATOR = '(?:[ \\t\\r\\n]|\\\\[nr])';
// A body is base64 chunks (lines, or pieces of a key flattened onto one line) parted by line
// breaks, real or JSON-escaped, and spaces. A separator belongs to the body only when a chunk of
// 16 or more characters follows it, or a shorter last chunk and the END line, or the END line: a
// key's lines are 64 or 70 characters, while words after a bare BEGIN line ("-----BEGIN PRIVATE
// KEY----- now drop the table") are short, and were masked with it, hiding the prompt, body or
// command they began from the record.
// Up to 32 separators before a chunk: a key indented deep in a Kubernetes or Helm manifest.
const PEM_GAP = `${PEM_SEPARATOR}{0,32}`;
const PEM_BODY_ELEMENT = `(?:[A-Za-z0-9+/=]|${PEM_SEPARATOR}(?=${PEM_GAP}(?:[A-Za-z0-9+/=]{16}|[A-Za-z0-9+/=]{0,15}${PEM_GAP}-----END)))`;
/** Room for what the body's lookahead reads past a match (a gap of escaped line breaks, a chunk's 16 characters). */
const PEM_LOOKAHEAD = 2 * 32 + 16;

/** A value that is a reference or a placeholder, not a secret. */
// SQL's `SET password = CASE …` and `ON CONFLICT … SET password = EXCLUDED.password` assign an
// expression, not a value (the values are bound by column: sql-columns.ts).
const PLACEHOLDER =
  '(?![$<{%]|\\[MASKED|\\*{3}|(?:process\\.env|os\\.environ|getenv|ENV\\[)|(?:EXCLUDED|excluded)\\.|(?:null|None|nil|undefined|true|false|True|False|string|str|input|required|CASE|case)(?![A-Za-z0-9_]))';

const SCHEMES =
  '(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z]{2,12}|ftps?|sftp|smtps?|ldaps?|https?|ssh|kafka|nats|clickhouse|snowflake)';

/** An optional quote, also JSON-escaped (`\"`) when the text is JSON inside a JSON string. */
const QUOTE = '(?:\\\\?["\'])';
const ASSIGN = `${QUOTE}?\\s*(?:[:=]|=>|:=)\\s*`;
const UNQUOTED_END = '(?=[\\s"\',;&<>)\\]}`]|$)';

const pemBody = [
  synth(64, ALPHABETS.base64, 'pem1'),
  synth(64, ALPHABETS.base64, 'pem2'),
  synth(40, ALPHABETS.base64, 'pem3'),
].join('\n');
const pem = `-----BEGIN RSA PRIVATE KEY-----\n${pemBody}\n-----END RSA PRIVATE KEY-----`;
const openssh = `-----BEGIN OPENSSH PRIVATE KEY-----\n${pemBody}\n-----END OPENSSH PRIVATE KEY-----`;
const b64url = (n: number, seed: string) => synth(n, ALPHABETS.urlSafe, seed);
const jwt = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ${b64url(60, 'jwt-p')}.${b64url(43, 'jwt-s')}`;
const dbPassword = synth(16, ALPHABETS.alnum, 'db-pass');
const bearer = synth(40, ALPHABETS.alnum, 'bearer');
const basic = Buffer.from(`admin:${synth(12, ALPHABETS.alnum, 'basic')}`).toString('base64');
const generic = synth(32, ALPHABETS.alnum, 'generic');
/** `api_key`, `api-key`, `apikey`, and the same for access, auth, private and signing keys. */
const KEY_NAMES = ['api', 'access', 'auth', 'private', 'signing'].flatMap((w) => [
  `${w}_key`,
  `${w}-key`,
  `${w}key`,
]);

export const CREDENTIAL_RULES: readonly DetectorRule[] = [
  {
    id: 'private-key',
    anchors: [{ literals: ['-----BEGIN'] }],
    description: 'PEM and OpenSSH private key blocks (also with JSON-escaped line breaks)',
    category: 'secret',
    pattern: `${PEM_HEADER}(?:${PEM_HEADER_LINE}){0,3}${PEM_BODY_ELEMENT}{0,${PEM_BODY_CHUNK}}(?:${PEM_FOOTER})?`,
    // An escaped line break is one element of two characters.
    maxLength: 60 + 3 * 160 + 2 * PEM_BODY_CHUNK + 60 + PEM_LOOKAHEAD,
    continuation: {
      pattern: `${PEM_BODY_ELEMENT}{1,${PEM_BODY_CHUNK}}(?:${PEM_FOOTER})?`,
      continues: (match) => !match.endsWith('-----'),
    },
    vectors: {
      hits: [
        { text: pem, secret: pem },
        { text: `key: |\n  ${openssh}` },
        { text: JSON.stringify({ private_key: pem }) },
      ],
      misses: [
        '-----BEGIN PUBLIC KEY-----',
        '-----BEGIN CERTIFICATE-----\nMIIB',
        'ssh-rsa AAAAB3NzaC1yc2E user@host',
      ],
    },
  },
  {
    id: 'jwt',
    anchors: [{ literals: ['yJ'], back: 1, backChars: '[e]' }],
    description: 'JSON Web Token (three base64url parts, header and payload starting eyJ)',
    category: 'secret',
    pattern: '\\beyJ[A-Za-z0-9_-]{8,500}\\.eyJ[A-Za-z0-9_-]{4,2800}\\.[A-Za-z0-9_-]{0,700}(?![A-Za-z0-9_-])',
    maxLength: 4010,
    vectors: {
      hits: [{ text: `id_token=${jwt}`, secret: jwt }],
      misses: ['eyJhbGciOi is the start of a header', 'eyJ.eyJ.sig'],
    },
  },
  {
    id: 'connection-string-password',
    anchors: [
      { literals: ['://'], back: 24, backChars: '[A-Za-z0-9+:.-]' },
      { literals: ['password=', 'pwd='], caseInsensitive: true, back: 1, backChars: '[;?&]' },
    ],
    description:
      'Password in a URL or connection string (postgres, mysql, mongodb+srv, redis, amqp, JDBC/ODBC password= and pwd= parameters)',
    category: 'secret',
    pattern: `\\b${SCHEMES}://[^\\s:/@'"<>]{1,128}:(?<s>${PLACEHOLDER}[^\\s@/'"<>\\\\]{1,256})@|[;?&](?:${ci('password')}|${ci('pwd')})=(?<s_1>${PLACEHOLDER}[^;&\\s'"]{1,256})`,
    maxLength: 420,
    vectors: {
      hits: [
        { text: `DATABASE_URL=postgres://app:${dbPassword}@db.internal:5432/app`, secret: dbPassword },
        { text: `mongodb+srv://svc:${dbPassword}@cluster0.example.net/test`, secret: dbPassword },
        { text: `jdbc:mysql://db:3306/app?user=app&password=${dbPassword}&ssl=true`, secret: dbPassword },
        { text: `Server=db;Database=app;User Id=sa;Password=${dbPassword};`, secret: dbPassword },
      ],
      misses: [
        'postgres://app@db.internal:5432/app',
        'https://example.com:8443/path',
        'postgres://app:${DB_PASSWORD}@db/app',
      ],
    },
  },
  {
    id: 'url-secret-parameter',
    anchors: [
      {
        literals: ['token=', 'secret=', 'key=', 'signature=', 'sig=', 'credential=', 'auth='],
        caseInsensitive: true,
        back: 40,
        backChars: '[A-Za-z0-9_.?&;-]',
      },
    ],
    description:
      'A secret-named query or form parameter: ?token=, &access_token=, api_key=, client_secret=, X-Amz-Signature=, sig=',
    category: 'secret',
    pattern: `[?&;#](?:[A-Za-z0-9]{1,20}[_.-]){0,3}(?:${ci('token')}|${ci('secret')}|${ci('key')}|${ci('signature')}|${ci('sig')}|${ci('credential')}|${ci('auth')})=(?<s>${PLACEHOLDER}[^&#\\s"'<>]{6,1024})`,
    validator: 'random-token',
    maxLength: 1100,
    vectors: {
      hits: [
        { text: `https://api.example.com/v1/items?access_token=${bearer}&page=2`, secret: bearer },
        { text: `grant_type=client_credentials&client_secret=${generic}`, secret: generic },
        { text: `https://bucket.s3.amazonaws.com/o?X-Amz-Signature=${synth(64, ALPHABETS.hex, 'amz')}` },
      ],
      misses: [
        'https://example.com/?page=2&sort=name',
        '?token={token}',
        'https://x.io/?api_key=YOUR_API_KEY',
      ],
    },
  },
  {
    id: 'password-assignment',
    refine: true,
    anchors: [{ literals: ['pass', 'pwd'], caseInsensitive: true }],
    description:
      'A value assigned to a password-like name: password=, "password": "...", PGPASSWORD=, MYSQL_PWD=, DB_PASS=',
    category: 'secret',
    pattern: `(?:${ci('password')}|${ci('passwd')}|${ci('passphrase')}|(?<=[_;?&-])${ci('pwd')}|(?<=[_-])${ci('pass')})${ASSIGN}(?:\\\\?"(?<s>${PLACEHOLDER}[^"\\\\\\r\\n]{1,256})\\\\?"|'(?<s_1>${PLACEHOLDER}[^'\\\\\\r\\n]{1,256})'|(?<s_2>${PLACEHOLDER}[^\\s"',;&<>()\\[\\]{}\`\\\\]{3,256})${UNQUOTED_END})`,
    maxLength: 300,
    vectors: {
      hits: [
        { text: `password=${dbPassword}`, secret: dbPassword },
        { text: `{"username": "app", "password": "${dbPassword}"}`, secret: dbPassword },
        { text: `PGPASSWORD=${dbPassword} psql -h db`, secret: dbPassword },
        { text: `export MYSQL_PWD='${dbPassword}'`, secret: dbPassword },
        { text: `db:\n  password: ${dbPassword}\n`, secret: dbPassword },
      ],
      misses: [
        'password = os.environ["DB_PASSWORD"]',
        'password: ${DB_PASSWORD}',
        '"password": null',
        'password = getpass()',
        "UPDATE users SET password = CASE WHEN id = 1 THEN 'x' END",
        'ON CONFLICT (id) DO UPDATE SET password = EXCLUDED.password',
        'Forgot your password? Reset it here.',
        'PWD=/home/app',
      ],
    },
  },
  {
    id: 'authorization-header',
    refine: true,
    anchors: [{ literals: ['authorization', 'bearer', 'basic'], caseInsensitive: true }],
    description: 'Credentials after Bearer or Basic (Authorization headers, curl -H, logs)',
    category: 'secret',
    pattern: `(?:\\b${ci('authorization')}["']?\\s*[:=]\\s*["']?)?\\b(?:Bearer|bearer|BEARER|Basic|basic|BASIC)\\s+(?<s>[A-Za-z0-9._~+/-]{8,4000}=*)`,
    validator: 'auth-credential',
    maxLength: 4060,
    vectors: {
      hits: [
        { text: `curl -H "Authorization: Bearer ${bearer}" https://api`, secret: bearer },
        { text: `authorization: Basic ${basic}`, secret: basic },
      ],
      misses: [
        'Bearer authentication is described in RFC 6750',
        'Basic usage: run the tool',
        'the bearer of bad news',
      ],
    },
  },
  {
    id: 'generic-high-entropy-assignment',
    refine: true,
    anchors: [
      {
        // The pattern's names spelled out (`api_key`, not `api`): a match starts at its literal, so
        // the same text matches, while `/api/v1` in every log line is no longer a hit to verify.
        literals: ['secret', 'token', 'credential', ...KEY_NAMES],
        caseInsensitive: true,
      },
    ],
    description:
      'A high-entropy value assigned to a secret-like name (secret, token, api_key, access_key, ...)',
    category: 'secret',
    pattern: `(?:${ci('secret')}|${ci('token')}|${ci('api')}[_-]?${ci('key')}|${ci('access')}[_-]?${ci('key')}|${ci('auth')}[_-]?${ci('key')}|${ci('private')}[_-]?${ci('key')}|${ci('signing')}[_-]?${ci('key')}|${ci('credential')})[A-Za-z0-9_-]{0,24}${ASSIGN}${QUOTE}?(?<s>[A-Za-z0-9_+/=.~-]{16,512})(?![A-Za-z0-9_+/=.~-])`,
    validator: 'entropy',
    maxLength: 600,
    vectors: {
      hits: [
        { text: `SECRET_KEY = "${generic}"`, secret: generic },
        { text: `api_key: ${generic}`, secret: generic },
        { text: `{"client_secret":"${generic}"}`, secret: generic },
      ],
      misses: [
        '"max_tokens": 1024',
        'api_key = "your-api-key-goes-here"',
        'token: xxxxxxxxxxxxxxxxxxxxxxxx',
        'secret_name = "production-database-credentials"',
      ],
    },
  },
];
