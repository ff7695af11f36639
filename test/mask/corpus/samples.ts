// The labelled corpus: realistic prompts, code, logs, JSON rows and config files with synthetic
// secret-shaped values (never real ones) for every rule, and near misses that must stay unmasked.
import { ALPHABETS, ibanNumber, luhnNumber, synth } from '../../../src/mask/synthetic.js';

export interface Sample {
  readonly rule: string;
  readonly text: string;
  /** Substrings that must be masked; empty for a near miss. */
  readonly secrets: readonly string[];
}

type Make = (seed: string) => { secret: string; phrasings: string[] };

const a = ALPHABETS;
const b64u = (n: number, s: string) => synth(n, a.urlSafe, s);

const MAKERS: Record<string, Make> = {
  'aws-access-key-id': (s) => {
    const v = `AKIA${synth(16, a.upperDigits, s)}`;
    return { secret: v, phrasings: [`aws_access_key_id = ${v}`, `"AccessKeyId": "${v}"`, `key ${v} leaked`] };
  },
  'aws-secret-key': (s) => {
    const v = synth(40, a.base64, s);
    return { secret: v, phrasings: [`aws_secret_access_key = ${v}`, `AWS_SECRET_ACCESS_KEY="${v}"`] };
  },
  'gcp-service-account-key': (s) => {
    const v = synth(40, a.hex, s);
    return {
      secret: v,
      phrasings: [`{"type": "service_account", "private_key_id": "${v}", "client_email": "x"}`],
    };
  },
  'google-api-key': (s) => {
    const v = `AIza${synth(35, a.urlSafe, s)}`;
    return { secret: v, phrasings: [`https://maps.googleapis.com/api?key=${v}`, `GOOGLE_KEY=${v}`] };
  },
  'azure-storage-key': (s) => {
    const v = `${synth(86, a.base64, s)}==`;
    return {
      secret: v,
      phrasings: [
        `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${v};EndpointSuffix=core.windows.net`,
      ],
    };
  },
  'github-token': (s) => {
    const v = `ghp_${synth(36, a.alnum, s)}`;
    return {
      secret: v,
      phrasings: [`GITHUB_TOKEN=${v}`, `git remote set-url origin https://${v}@github.com/acme/app.git`],
    };
  },
  'gitlab-token': (s) => {
    const v = `glpat-${synth(20, a.urlSafe, s)}`;
    return {
      secret: v,
      phrasings: [`curl --header "PRIVATE-TOKEN: ${v}" https://gitlab.example.com/api/v4/projects`],
    };
  },
  'slack-token': (s) => {
    const v = `xoxb-${synth(12, a.digits, s)}-${synth(13, a.digits, `${s}2`)}-${synth(24, a.alnum, `${s}3`)}`;
    return { secret: v, phrasings: [`SLACK_BOT_TOKEN=${v}`, `client = WebClient(token="${v}")`] };
  },
  'slack-webhook': (s) => {
    const v = `T${synth(8, a.upperDigits, s)}/B${synth(8, a.upperDigits, `${s}b`)}/${synth(24, a.alnum, `${s}c`)}`;
    return { secret: v, phrasings: [`webhook_url: https://hooks.slack.com/services/${v}`] };
  },
  'stripe-key': (s) => {
    const v = `sk_live_${synth(24, a.alnum, s)}`;
    return { secret: v, phrasings: [`stripe.api_key = "${v}"`, `STRIPE_SECRET=${v}`] };
  },
  'openai-key': (s) => {
    const v = s.length % 2 ? `sk-proj-${b64u(100, s)}` : `sk-${synth(48, a.alnum, s)}`;
    return {
      secret: v,
      phrasings: [
        `OPENAI_API_KEY=${v}`,
        `client = OpenAI(api_key="${v}")`,
        `my key is ${v}, why does it fail?`,
      ],
    };
  },
  'anthropic-key': (s) => {
    const v = `sk-ant-api03-${b64u(93, s)}AA`;
    return { secret: v, phrasings: [`ANTHROPIC_API_KEY=${v}`, `x-api-key: ${v}`] };
  },
  'huggingface-token': (s) => {
    const v = `hf_${synth(34, a.alnum, s)}`;
    return { secret: v, phrasings: [`huggingface-cli login --token ${v}`, `HF_TOKEN=${v}`] };
  },
  'npm-token': (s) => {
    const v = `npm_${synth(36, a.alnum, s)}`;
    return { secret: v, phrasings: [`//registry.npmjs.org/:_authToken=${v}`] };
  },
  'twilio-key': (s) => {
    const v = `SK${synth(32, a.hex, s)}`;
    return { secret: v, phrasings: [`TWILIO_API_KEY=${v}`, `twilio api:core:keys:fetch --sid ${v}`] };
  },
  'sendgrid-key': (s) => {
    const v = `SG.${b64u(22, s)}.${b64u(43, `${s}x`)}`;
    return { secret: v, phrasings: [`sgMail.setApiKey('${v}');`] };
  },
  'private-key': (s) => {
    const body = synth(1600, a.base64, s).replace(/(.{64})/g, '$1\n');
    const v = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    return { secret: v, phrasings: [v, `ssh_key: |\n${v}`] };
  },
  jwt: (s) => {
    const v = `eyJhbGciOiJSUzI1NiJ9.eyJ${b64u(80, s)}.${b64u(86, `${s}s`)}`;
    return { secret: v, phrasings: [`id_token=${v}`, `{"jwt": "${v}"}`] };
  },
  'connection-string-password': (s) => {
    const v = synth(18, a.alnum, s);
    return {
      secret: v,
      phrasings: [
        `DATABASE_URL=postgres://app:${v}@db.internal:5432/app`,
        `mongodb+srv://svc:${v}@cluster0.example.net/prod?retryWrites=true`,
        `redis://default:${v}@cache:6379/0`,
        `amqp://guest:${v}@mq:5672/`,
        `jdbc:postgresql://db:5432/app?user=app&password=${v}`,
        `Server=tcp:db,1433;Database=app;User Id=sa;Password=${v};`,
      ],
    };
  },
  'password-assignment': (s) => {
    const v = `${synth(10, a.alnum, s)}!x`;
    return {
      secret: v,
      phrasings: [
        `password=${v}`,
        `{"user": "app", "password": "${v}"}`,
        `PGPASSWORD=${v} psql -h db -U app`,
        `export MYSQL_PWD='${v}'`,
        `db:\n  password: "${v}"`,
      ],
    };
  },
  'authorization-header': (s) => {
    const v = synth(40, a.alnum, s);
    return {
      secret: v,
      phrasings: [
        `curl -H "Authorization: Bearer ${v}" https://api.example.com`,
        `headers = {"Authorization": "Bearer ${v}"}`,
      ],
    };
  },
  'generic-high-entropy-assignment': (s) => {
    const v = synth(32, a.alnum, s);
    return { secret: v, phrasings: [`SECRET_KEY = "${v}"`, `client_secret: ${v}`, `{"api_key": "${v}"}`] };
  },
  email: (s) => {
    const v = `${synth(6, 'abcdefghijklmnop', s)}.${synth(5, 'qrstuvwxyz', s)}@example.com`;
    return { secret: v, phrasings: [`Contact ${v} for access`, `{"id": 7, "email": "${v}"}`, `From: ${v}`] };
  },
  phone: (s) => {
    const d = synth(7, a.digits, s);
    const v = `+44 20 ${d.slice(0, 4)} ${d.slice(4)}1`;
    return { secret: v, phrasings: [`call me at ${v} tomorrow`, `{"phone": "${v}"}`] };
  },
  'card-number': (s) => {
    const v = luhnNumber('4', 16, s);
    return { secret: v, phrasings: [`card ${v} exp 10/28`, `{"pan": "${v}", "amount": 12.5}`] };
  },
  iban: (s) => {
    const v = ibanNumber('DE', `${synth(18, a.digits, s)}`);
    return { secret: v, phrasings: [`please wire to ${v} today`, `iban,${v},EUR`] };
  },
  'us-ssn': (s) => {
    const d = synth(9, '12345678', s);
    const v = `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`;
    return { secret: v, phrasings: [`SSN: ${v}`, `{"ssn": "${v}"}`] };
  },
};

const WRAPPERS: readonly ((inner: string) => string)[] = [
  (x) => x,
  (x) => `User: I get an error with this config, can you help?\n\n${x}\n\nThanks!`,
  (x) => `2024-05-01T10:22:13.123Z INFO worker[42] loaded settings: ${x} (took 12ms)`,
  (x) => `{"id": 1042, "created_at": "2024-03-09", "note": ${JSON.stringify(x)}, "active": true}`,
  (x) => `def connect():\n    # TODO remove before commit\n    ${x}\n    return client`,
];

const NEAR_MISSES: Record<string, readonly string[]> = {
  'aws-access-key-id': [
    'AKIA is the prefix of AWS key ids',
    'id AKIAXXXX truncated',
    'arn:aws:iam::123456789012:user/bob',
  ],
  'aws-secret-key': [
    'aws_secret_access_key = ${AWS_SECRET}',
    'set aws_secret_access_key in ~/.aws/credentials',
  ],
  'gcp-service-account-key': ['"private_key_id": "<redacted>"', '"client_id": "104293847562938475629"'],
  'google-api-key': ['AIzaSy is how Google keys start', 'AIza-short'],
  'azure-storage-key': ['AccountName=acct;EndpointSuffix=core.windows.net', 'AccountKey=<key>'],
  'github-token': ['ghp_ tokens are classic PATs', 'see https://github.com/acme/app/pull/42'],
  'gitlab-token': ['glpat- tokens expire', 'gitlab.example.com/api/v4/projects/12'],
  'slack-token': ['xoxb- tokens are bot tokens', 'xoxb-not-a-real-token-here'],
  'slack-webhook': ['https://hooks.slack.com/services/', 'https://api.slack.com/messaging/webhooks'],
  'stripe-key': ['pk_live_ keys are publishable', 'sk_live_ prefix in the docs'],
  'openai-key': [
    'pip install scikit-learn; import sk-learn alias',
    'a risk-assessment-framework-for-everyone-involved',
    'task-runner-config',
  ],
  'anthropic-key': ['sk-ant- keys start like this', 'sk-ant-api03-xxx'],
  'huggingface-token': ['from huggingface_hub import hf_hub_download', 'hf_transfer enabled'],
  'npm-token': ['npm_config_registry=https://registry.npmjs.org', 'npm_lifecycle_event=test'],
  'twilio-key': ['SKU 1234-5678 is out of stock', 'SKIP this test'],
  'sendgrid-key': ['SG.short.key', 'Made in SG. Shipped.'],
  'private-key': [
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA',
    '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE',
  ],
  jwt: ['eyJ is base64 for {"', 'eyJhbGciOi.eyJ.x'],
  'connection-string-password': [
    'postgres://app@db.internal:5432/app',
    'https://example.com:8443/health',
    'postgres://app:${DB_PASSWORD}@db/app',
  ],
  'password-assignment': [
    'password = os.environ["DB_PASSWORD"]',
    '"password": null',
    'password = getpass()',
    'Forgot your password? Reset it.',
    'password: ${DB_PASSWORD}',
    'PWD=/home/app',
  ],
  'authorization-header': [
    'Bearer authentication is described in RFC 6750',
    'the bearer of bad news',
    'Basic usage: run the tool',
  ],
  'generic-high-entropy-assignment': [
    '"max_tokens": 1024',
    'api_key = "your-api-key-goes-here"',
    'token: xxxxxxxxxxxxxxxxxxxxxxxx',
    'secret_name = "production-database-credentials"',
  ],
  email: ['user@localhost', 'ping @channel', 'icon@2x.png', 'name at example dot com'],
  phone: ['released 2024-01-15', 'version 1.2.3.4', 'order 12345678', 'build 20240115'],
  'card-number': ['ts 1700000000000', 'order 4000 1234', `card ${luhnNumber('4', 16, 'x').slice(0, 15)}0x`],
  iban: ['AB12 is a code', 'DE00 0000 0000 0000 0000 00'],
  'us-ssn': ['000-12-3456', '123-45-67890', 'room 12-34'],
};

export function corpus(): Sample[] {
  const samples: Sample[] = [];
  for (const [rule, make] of Object.entries(MAKERS)) {
    for (let i = 0; i < 14; i++) {
      const { secret, phrasings } = make(`${rule}-${i}`);
      const phrasing = phrasings[i % phrasings.length]!;
      const wrap = rule === 'private-key' ? WRAPPERS[i % 2]! : WRAPPERS[i % WRAPPERS.length]!;
      samples.push({ rule, text: wrap(phrasing), secrets: [secret] });
    }
    for (const miss of NEAR_MISSES[rule] ?? []) {
      samples.push({ rule, text: WRAPPERS[samples.length % WRAPPERS.length]!(miss), secrets: [] });
    }
  }
  return samples;
}
