// Personal data: e-mail, telephone, payment cards, IBANs, US social security numbers, IP addresses.
import { ibanNumber, luhnNumber } from '../synthetic.js';
import type { DetectorRule } from '../types.js';

const visa = luhnNumber('4', 16, 'visa');
const amex = luhnNumber('37', 15, 'amex');
const notLuhn = `${visa.slice(0, 15)}${(Number(visa[15]) + 1) % 10}`;
/** A UUID whose first three groups are Luhn-valid digits: grouped 8-4-4, no card is printed so. */
const uuidDigits = luhnNumber('4', 16, 'uuid');
const digitUuid = `${uuidDigits.slice(0, 8)}-${uuidDigits.slice(8, 12)}-${uuidDigits.slice(12)}-a1b2-c3d4e5f6a7b8`;
const deIban = ibanNumber('DE', '370400440532013000');
const gbIban = ibanNumber('GB', 'NWBK60161331926819');
const badIban = `${deIban.slice(0, 2)}${deIban[2] === '9' ? '0' : '9'}${deIban.slice(3)}`;

export const PII_RULES: readonly DetectorRule[] = [
  {
    id: 'email',
    anchors: [{ literals: ['@'], back: 64, backChars: '[A-Za-z0-9._%+-]' }],
    description: 'E-mail address',
    category: 'pii',
    pattern:
      '\\b(?<!//)[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,8}(?!(?:png|jpe?g|gif|svg|webp|js|ts|css)\\b)[A-Za-z]{2,24}\\b',
    maxLength: 64 + 1 + 8 * 64 + 24,
    vectors: {
      hits: [{ text: 'Contact: jane.doe+billing@example.co.uk', secret: 'jane.doe+billing@example.co.uk' }],
      misses: ['user@localhost', 'ping @channel now', 'logo@2x.png', 'name at example dot com'],
    },
  },
  {
    id: 'phone',
    tailChars: '[0-9 .()+-]',
    description: 'Telephone number: international (+CC ...) or North-American (415) 555-2671 formats',
    category: 'pii',
    pattern:
      '\\+(?<![\\w+]\\+)[1-9]\\d{0,2}[ .-]?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{1,4}(?:[ .-]?\\d{1,4}){1,5}(?![\\w-]|\\.\\d)|(?<![\\w.+-])(?:\\(\\d{3}\\) ?|\\d{3}[.-])\\d{3}[.-]\\d{4}(?![\\w-]|\\.\\d)',
    validator: 'phone',
    maxLength: 32,
    vectors: {
      hits: [
        { text: 'call +44 20 7946 0958 today', secret: '+44 20 7946 0958' },
        { text: 'phone: (415) 555-2671', secret: '(415) 555-2671' },
        { text: 'tel 415-555-2671.', secret: '415-555-2671' },
      ],
      misses: ['released 2024-01-15', 'version 1.2.3', 'order 12345678', 'ssn 123-45-6789'],
    },
  },
  {
    id: 'card-number',
    tailChars: '[0-9 -]',
    description:
      'Payment card number (Visa, Mastercard, Amex, Discover) passing the Luhn check, run together or grouped as cards are printed',
    category: 'pii',
    pattern: '\\b(?:4\\d{3}|5[1-5]\\d{2}|2[2-7]\\d{2}|3[47]\\d{2}|6(?:011|5\\d{2}))(?:[ -]?\\d){9,15}\\b',
    validator: 'card',
    maxLength: 23,
    vectors: {
      hits: [
        { text: `card ${visa} exp 12/29`, secret: visa },
        { text: `amex ${amex.slice(0, 4)} ${amex.slice(4, 10)} ${amex.slice(10)}` },
      ],
      misses: [`card ${notLuhn}`, 'ts 1700000000000', 'id 4000', `request_id=${digitUuid}`],
    },
  },
  {
    id: 'iban',
    tailChars: '[A-Z0-9 ]',
    description: 'International bank account number passing the mod-97 check',
    category: 'pii',
    pattern: '\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\\b',
    validator: 'iban',
    maxLength: 42,
    vectors: {
      hits: [
        { text: `IBAN: ${deIban}`, secret: deIban },
        { text: `pay to ${gbIban.replace(/(.{4})/g, '$1 ').trim()}` },
      ],
      misses: [`IBAN: ${badIban}`, 'AB12 is a code'],
    },
  },
  {
    id: 'us-ssn',
    tailChars: '[0-9-]',
    description: 'US social security number (AAA-GG-SSSS, excluding impossible areas)',
    category: 'pii',
    pattern: '\\b(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}\\b(?!-\\d)',
    maxLength: 11,
    vectors: {
      hits: [{ text: 'SSN 123-45-6789 on file', secret: '123-45-6789' }],
      misses: ['000-12-3456', '123-45-67890', '415-555-2671'],
    },
  },
  {
    id: 'ip-address',
    tailChars: '[0-9.]',
    description: 'IPv4 address (off by default: enable it with masking.enabled_rules)',
    category: 'pii',
    pattern:
      '\\b(?<!\\d\\.)(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\b(?!\\.\\d)',
    defaultOff: true,
    maxLength: 15,
    vectors: {
      hits: [{ text: 'client 203.0.113.42 connected', secret: '203.0.113.42' }],
      misses: ['version 1.2.3', '999.1.1.1', '1.2.3.4.5'],
    },
  },
];
