// Names of columns, JSON keys, form fields, query parameters and environment variables whose values
// are secret whatever they look like (a password of four letters is still a password). A name
// matches when, split into words (snake_case, kebab-case, camelCase, dots), it ends with one of the
// listed names (a listed word of six letters or more may be written in two parts, `pass_wd`):
// `user_password`, `clientSecret` and `X-Api-Key` match; `password_hint`,
// `token_count` and `max_tokens` do not.

export const DEFAULT_SECRET_NAMES: readonly string[] = [
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'api_key',
  'apikey',
  'access_key',
  'secret_key',
  'private_key',
  'client_secret',
  'credential',
  'credentials',
  'auth',
  'authorization',
  'cookie',
  'session_key',
  'ssn',
  'social_security_number',
  'card_number',
  'cc_number',
  'credit_card',
  'pan',
  'cvv',
  'cvc',
  'iban',
  'pin',
  'otp',
  'totp_secret',
  'mfa_secret',
  'recovery_code',
  'signing_key',
  'encryption_key',
  'master_key',
  // An application's stored password hash (a bcrypt or PBKDF2 string under `password_hash`, Rails'
  // `password_digest`): guessed offline like the hash below, and no bare token to the text rules.
  'password_hash',
  'password_digest',
  // MySQL's and MariaDB's mysql.user column holding a user's password hash (`*` and 40 hex digits,
  // shorter than the 64 a bare hex token needs): a password equivalent for mysql_native_password.
  'authentication_string',
];

/** Words of a name: `clientSecret` → client, secret; `X-Api-Key` → x, api, key. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Secret words recognised at the end of a run-together name, when listed. */
const GLUED = ['password', 'passwd', 'secret', 'passphrase'];

/** The shortest listed word recognised when written in two parts. */
const MIN_SPLIT_WORD = 6;

export type SecretNameMatcher = (name: string) => boolean;

export function secretNameMatcher(names: readonly string[] = DEFAULT_SECRET_NAMES): SecretNameMatcher {
  const wanted = names.map((n) => nameWords(n)).filter((w) => w.length > 0);
  const cache = new Map<string, boolean>();
  return (name) => {
    let hit = cache.get(name);
    if (hit !== undefined) return hit;
    const words = nameWords(name);
    const last = words[words.length - 1] ?? '';
    // Run-together names: PGPASSWORD, dbpasswd, appsecret.
    hit = GLUED.some(
      (g) => last.length > g.length && last.endsWith(g) && wanted.some((w) => w.length === 1 && w[0] === g),
    );
    hit ||= wanted.some(
      (w) => w.length <= words.length && w.every((part, i) => words[words.length - w.length + i] === part),
    );
    // A listed word written in two parts (`pass_wd`, `Pass-Word`, `passPhrase`): until 7 December
    // `{"pass_wd": "…"}` and `PASS_WD=…` of words were recorded in clear. Words of six letters or
    // more only, so that `pa_n` or `o_tp` are not read as `pan` or `otp`.
    if (!hit && words.length >= 2) {
      const glued = words[words.length - 2]! + last;
      hit = glued.length >= MIN_SPLIT_WORD && wanted.some((w) => w.length === 1 && w[0] === glued);
    }
    if (cache.size < 10_000) cache.set(name, hit);
    return hit;
  };
}
