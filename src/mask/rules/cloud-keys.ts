// Cloud provider credentials: AWS, Google Cloud, Azure.
import { ci } from '../regex-text.js';
import { ALPHABETS, synth } from '../synthetic.js';
import type { DetectorRule } from '../types.js';

const awsKeyId = `AKIA${synth(16, ALPHABETS.upperDigits, 'aws-id')}`;
const awsSecret = synth(40, ALPHABETS.base64, 'aws-secret');
const gcpKeyId = synth(40, ALPHABETS.hex, 'gcp-key-id');
const googleApiKey = `AIza${synth(35, ALPHABETS.urlSafe, 'google-api')}`;
const azureKey = `${synth(86, ALPHABETS.base64, 'azure')}==`;

const QUOTE = '(?:\\\\?["\'])';
const assign = `${QUOTE}?\\s*[:=]\\s*${QUOTE}?`;

export const CLOUD_KEY_RULES: readonly DetectorRule[] = [
  {
    id: 'aws-access-key-id',
    anchors: [
      { literals: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AROA', 'AIPA', 'ANPA', 'ANVA', 'APKA'] },
    ],
    description: 'AWS access key id (AKIA, ASIA and the other 4-letter id prefixes)',
    category: 'secret',
    pattern: '\\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}(?![A-Za-z0-9])',
    maxLength: 20,
    vectors: {
      hits: [
        { text: `aws_access_key_id = ${awsKeyId}`, secret: awsKeyId },
        { text: `"AccessKeyId": "${awsKeyId}"` },
      ],
      misses: [
        `AKIA${awsKeyId.slice(4, 19)} is too short`,
        `XAKIA${awsKeyId.slice(4)}Z`,
        'AKIAEXAMPLEKEY lowercase akia',
      ],
    },
  },
  {
    id: 'aws-secret-key',
    anchors: [
      {
        literals: ['aws_secret', 'aws-secret', 'secret_access_key', 'secretaccesskey'],
        caseInsensitive: true,
      },
    ],
    description: 'AWS secret access key: 40 base64 characters after an aws_secret_access_key-like name',
    category: 'secret',
    pattern: `(?:${ci('aws_secret_access_key')}|${ci('aws_secret_key')}|${ci('secret_access_key')}|SecretAccessKey|${ci('aws-secret-access-key')})${assign}(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
    maxLength: 80,
    vectors: {
      hits: [
        { text: `aws_secret_access_key = ${awsSecret}`, secret: awsSecret },
        { text: `export AWS_SECRET_ACCESS_KEY="${awsSecret}"`, secret: awsSecret },
        { text: `{"SecretAccessKey": "${awsSecret}"}`, secret: awsSecret },
      ],
      misses: [`aws_secret_access_key = ${awsSecret.slice(0, 30)}`, 'aws_secret_access_key = ${AWS_SECRET}'],
    },
  },
  {
    id: 'gcp-service-account-key',
    anchors: [{ literals: ['private_key_id'], back: 2, backChars: '[\\\\"]' }],
    description:
      'Google Cloud service-account key file: the private_key_id (the private key is masked by private-key)',
    category: 'secret',
    pattern: `\\\\?"private_key_id\\\\?"\\s*:\\s*\\\\?"(?<s>[0-9a-f]{40})\\\\?"`,
    maxLength: 64,
    vectors: {
      hits: [{ text: `{"type": "service_account", "private_key_id": "${gcpKeyId}"}`, secret: gcpKeyId }],
      misses: ['"private_key_id": "abc"', `"key_id": "${gcpKeyId}"`],
    },
  },
  {
    id: 'google-api-key',
    anchors: [{ literals: ['AIza'] }],
    description: 'Google API key (AIza...)',
    category: 'secret',
    pattern: '\\bAIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])',
    maxLength: 39,
    vectors: {
      hits: [{ text: `key=${googleApiKey}&q=1`, secret: googleApiKey }],
      misses: ['AIzaShortKey', `AIza${googleApiKey.slice(4)}extra`],
    },
  },
  {
    id: 'azure-storage-key',
    anchors: [{ literals: ['AccountKey=', 'SharedAccessKey='] }],
    description: 'Azure storage account key or shared access key in a connection string',
    category: 'secret',
    pattern: '\\b(?:AccountKey|SharedAccessKey)=(?<s>[A-Za-z0-9+/]{40,88}={0,2})',
    maxLength: 110,
    vectors: {
      hits: [
        {
          text: `DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=${azureKey};EndpointSuffix=core.windows.net`,
          secret: azureKey,
        },
      ],
      misses: ['AccountKey=short', 'AccountName=demo;EndpointSuffix=core.windows.net'],
    },
  },
];
