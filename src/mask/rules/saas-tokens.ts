// Prefixed tokens of SaaS and AI providers: the prefix makes them precise without a keyword.
import { ALPHABETS, synth } from '../synthetic.js';
import type { DetectorRule } from '../types.js';

/** A token ends where the token alphabet ends. */
const END = '(?![A-Za-z0-9_-])';

const github = `ghp_${synth(36, ALPHABETS.alnum, 'gh')}`;
const githubPat = `github_pat_${synth(22, ALPHABETS.alnum, 'ghpat1')}_${synth(59, ALPHABETS.alnum, 'ghpat2')}`;
const gitlab = `glpat-${synth(20, ALPHABETS.urlSafe, 'gl')}`;
const slackBot = `xoxb-${synth(12, ALPHABETS.digits, 'sl1')}-${synth(13, ALPHABETS.digits, 'sl2')}-${synth(24, ALPHABETS.alnum, 'sl3')}`;
const slackHookPath = `T${synth(8, ALPHABETS.upperDigits, 'sh1')}/B${synth(8, ALPHABETS.upperDigits, 'sh2')}/${synth(24, ALPHABETS.alnum, 'sh3')}`;
const stripe = `sk_live_${synth(24, ALPHABETS.alnum, 'stripe')}`;
const openaiLegacy = `sk-${synth(48, ALPHABETS.alnum, 'oai')}`;
const openaiProject = `sk-proj-${synth(120, ALPHABETS.urlSafe, 'oai-proj')}`;
const anthropic = `sk-ant-api03-${synth(93, ALPHABETS.urlSafe, 'ant')}AA`;
const huggingface = `hf_${synth(34, ALPHABETS.alnum, 'hf')}`;
const npm = `npm_${synth(36, ALPHABETS.alnum, 'npm')}`;
const twilio = `SK${synth(32, ALPHABETS.hex, 'twilio')}`;
const sendgrid = `SG.${synth(22, ALPHABETS.urlSafe, 'sg1')}.${synth(43, ALPHABETS.urlSafe, 'sg2')}`;

export const SAAS_TOKEN_RULES: readonly DetectorRule[] = [
  {
    id: 'github-token',
    anchors: [{ literals: ['hp_', 'ho_', 'hu_', 'hs_', 'hr_', 'ithub_pat_'], back: 1, backChars: '[g]' }],
    description: 'GitHub token: ghp_, gho_, ghu_, ghs_, ghr_ and fine-grained github_pat_',
    category: 'secret',
    pattern: `\\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})${END}`,
    maxLength: 255,
    vectors: {
      hits: [
        { text: `git clone https://${github}@github.com/acme/app`, secret: github },
        { text: `GH_TOKEN=${githubPat}` },
      ],
      misses: ['ghp_short', 'see the ghp_ prefix docs', `xghp_${github.slice(4)}`],
    },
  },
  {
    id: 'gitlab-token',
    anchors: [
      { literals: ['pat-', 'ptt-', 'dt-', 'rt-', 'cbt-', 'oas-', 'soat-'], back: 2, backChars: '[glp]' },
    ],
    description: 'GitLab personal, pipeline, deploy, runner and OAuth tokens (glpat-, glptt-, ...)',
    category: 'secret',
    pattern: `\\bgl(?:pat|ptt|dt|rt|cbt|oas|soat)-[A-Za-z0-9_-]{20,64}${END}`,
    maxLength: 72,
    vectors: {
      hits: [{ text: `PRIVATE-TOKEN: ${gitlab}`, secret: gitlab }],
      misses: ['glpat-short', 'the glpat- prefix'],
    },
  },
  {
    id: 'slack-token',
    anchors: [{ literals: ['xoxa-', 'xoxb-', 'xoxe-', 'xoxo-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-'] }],
    description: 'Slack bot, user, app and configuration tokens (xoxb-, xoxp-, xapp-, ...)',
    category: 'secret',
    pattern: `\\b(?:xox[abeoprs]|xapp)-[0-9A-Za-z-]{10,250}${END}`,
    validator: 'random-token',
    maxLength: 256,
    vectors: {
      hits: [{ text: `SLACK_BOT_TOKEN=${slackBot}`, secret: slackBot }],
      misses: ['xoxb-short', 'xoxb-not-a-real-token-here'],
    },
  },
  {
    id: 'slack-webhook',
    anchors: [{ literals: ['.slack.com/'], back: 5, backChars: '[a-z]' }],
    description: 'Slack incoming-webhook URL: the team/bot/secret path after /services/',
    category: 'secret',
    pattern:
      'hooks\\.slack\\.com/(?:services|workflows)/(?<s>T[A-Z0-9]{6,12}/[AB][A-Z0-9]{6,12}/[A-Za-z0-9]{20,32})',
    maxLength: 120,
    vectors: {
      hits: [
        { text: `curl -X POST https://hooks.slack.com/services/${slackHookPath}`, secret: slackHookPath },
      ],
      misses: ['https://hooks.slack.com/services/', 'https://api.slack.com/messaging/webhooks'],
    },
  },
  {
    id: 'stripe-key',
    anchors: [{ literals: ['k_live_', 'k_test_'], back: 1, backChars: '[sr]' }],
    description: 'Stripe secret and restricted keys (sk_live_, rk_live_, sk_test_)',
    category: 'secret',
    pattern: `\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,247}${END}`,
    maxLength: 255,
    vectors: {
      hits: [{ text: `Stripe.api_key = "${stripe}"`, secret: stripe }],
      misses: ['sk_live_short', 'pk_live_ is publishable and not matched'],
    },
  },
  {
    id: 'anthropic-key',
    anchors: [{ literals: ['k-ant-'], back: 1, backChars: '[s]' }],
    description: 'Anthropic API and admin keys (sk-ant-...)',
    category: 'secret',
    pattern: `\\bsk-ant-[a-z]{2,8}\\d{0,3}-[A-Za-z0-9_-]{32,250}${END}`,
    maxLength: 270,
    vectors: {
      hits: [{ text: `ANTHROPIC_API_KEY=${anthropic}`, secret: anthropic }],
      misses: ['sk-ant-api03-short', 'the sk-ant- prefix'],
    },
  },
  {
    id: 'openai-key',
    anchors: [{ literals: ['k-'], back: 1, backChars: '[s]' }],
    description: 'OpenAI API keys: legacy sk-, project sk-proj-, service-account and admin keys',
    category: 'secret',
    pattern: `\\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,250}${END}`,
    validator: 'random-token',
    maxLength: 262,
    vectors: {
      hits: [
        { text: `OPENAI_API_KEY=${openaiLegacy}`, secret: openaiLegacy },
        { text: `client = OpenAI(api_key="${openaiProject}")`, secret: openaiProject },
      ],
      misses: [
        'sk-learn is a library',
        'task-management-and-planning-for-teams-everywhere',
        'sk-this-is-a-very-long-kebab-case-identifier-name',
      ],
    },
  },
  {
    id: 'huggingface-token',
    anchors: [{ literals: ['f_'], back: 1, backChars: '[h]' }],
    description: 'Hugging Face access token (hf_...)',
    category: 'secret',
    pattern: `\\bhf_[A-Za-z0-9]{34,40}${END}`,
    validator: 'random-token',
    maxLength: 43,
    vectors: {
      hits: [{ text: `HF_TOKEN=${huggingface}`, secret: huggingface }],
      misses: ['hf_hub_download(repo_id="x")', 'hf_short_token'],
    },
  },
  {
    id: 'npm-token',
    anchors: [{ literals: ['pm_'], back: 1, backChars: '[n]' }],
    description: 'npm access token (npm_...)',
    category: 'secret',
    pattern: `\\bnpm_[A-Za-z0-9]{36}${END}`,
    maxLength: 40,
    vectors: {
      hits: [{ text: `//registry.npmjs.org/:_authToken=${npm}`, secret: npm }],
      misses: ['npm_config_cache=/tmp', 'npm_package_version'],
    },
  },
  {
    id: 'twilio-key',
    anchors: [{ literals: ['SK'] }],
    description: 'Twilio API key SID (SK + 32 hex)',
    category: 'secret',
    pattern: `\\bSK[0-9a-fA-F]{32}${END}`,
    maxLength: 34,
    vectors: {
      hits: [{ text: `TWILIO_API_KEY=${twilio}`, secret: twilio }],
      misses: ['SKU12345 in stock', `SK${twilio.slice(2, 20)}`],
    },
  },
  {
    id: 'sendgrid-key',
    anchors: [{ literals: ['SG.'] }],
    description: 'SendGrid API key (SG.xxx.yyy)',
    category: 'secret',
    pattern: `\\bSG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}${END}`,
    maxLength: 69,
    vectors: {
      hits: [{ text: `sendgrid.setApiKey('${sendgrid}')`, secret: sendgrid }],
      misses: ['SG.short.key', 'Made in SG.'],
    },
  },
];
