// RFC 5424 syslog messages: written by the syslog sink, read back by whoever checks it (the tests,
// a collector of our own). One structured-data element at most, which is all Vigil writes.
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID PARAM="VALUE" ...] MSG
import { VigilError } from '../core/errors.js';

export interface SyslogMessage {
  /** facility * 8 + severity */
  readonly pri: number;
  readonly timestamp: string;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
  /** One SD-ELEMENT, or null for the NILVALUE. */
  readonly structuredData: {
    readonly id: string;
    readonly params: readonly (readonly [string, string])[];
  } | null;
  readonly msg: string;
}

/** Header field limits from RFC 5424 section 6. */
const FIELD_LIMITS = { hostname: 255, appName: 48, procId: 128, msgId: 32 } as const;
const PRINTABLE = /^[!-~]+$/;
const SD_NAME = /^[!#-<>-\\^-~]{1,32}$/; // printable, no '=', ' ', ']', '"'

export function formatSyslogMessage(m: SyslogMessage): string {
  if (!Number.isInteger(m.pri) || m.pri < 0 || m.pri > 191) throw new RangeError('PRI out of range');
  for (const key of Object.keys(FIELD_LIMITS) as (keyof typeof FIELD_LIMITS)[]) {
    const value = m[key];
    if (value.length > FIELD_LIMITS[key] || !PRINTABLE.test(value)) throw new RangeError(`invalid ${key}`);
  }
  let sd = '-';
  if (m.structuredData) {
    if (!SD_NAME.test(m.structuredData.id)) throw new RangeError('invalid SD-ID');
    sd = `[${m.structuredData.id}`;
    for (const [name, value] of m.structuredData.params) {
      if (!SD_NAME.test(name)) throw new RangeError('invalid PARAM-NAME');
      sd += ` ${name}="${value.replace(/["\\\]]/g, (c) => `\\${c}`)}"`;
    }
    sd += ']';
  }
  return `<${m.pri}>1 ${m.timestamp} ${m.hostname} ${m.appName} ${m.procId} ${m.msgId} ${sd}${m.msg === '' ? '' : ` ${m.msg}`}`;
}

/** Parses one message as formatSyslogMessage writes them; throws protocol_violation otherwise. */
export function parseSyslogMessage(text: string): SyslogMessage {
  const head = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(text);
  if (!head) throw invalid('header');
  const pri = Number(head[1]);
  if (pri > 191 || (head[1]!.length > 1 && head[1]!.startsWith('0'))) throw invalid('PRI');
  let rest = text.slice(head[0].length);
  let structuredData: SyslogMessage['structuredData'] = null;
  if (rest.startsWith('-')) {
    rest = rest.slice(1);
  } else if (rest.startsWith('[')) {
    const id = /^\[([^ \]="]{1,32})/.exec(rest);
    if (!id) throw invalid('SD-ID');
    let at = id[0].length;
    const params: [string, string][] = [];
    while (rest[at] === ' ') {
      const name = /^ ([^ \]="]{1,32})="/.exec(rest.slice(at));
      if (!name) throw invalid('SD-PARAM');
      at += name[0].length;
      let value = '';
      for (;;) {
        const c = rest[at];
        if (c === undefined) throw invalid('unterminated PARAM-VALUE');
        if (c === '"') break;
        if (c === '\\' && (rest[at + 1] === '"' || rest[at + 1] === '\\' || rest[at + 1] === ']')) {
          value += rest[at + 1];
          at += 2;
        } else {
          value += c;
          at += 1;
        }
      }
      params.push([name[1]!, value]);
      at += 1;
    }
    if (rest[at] !== ']') throw invalid('SD-ELEMENT end');
    structuredData = { id: id[1]!, params };
    rest = rest.slice(at + 1);
  } else {
    throw invalid('STRUCTURED-DATA');
  }
  if (rest !== '' && !rest.startsWith(' ')) throw invalid('MSG separator');
  return {
    pri,
    timestamp: head[2]!,
    hostname: head[3]!,
    appName: head[4]!,
    procId: head[5]!,
    msgId: head[6]!,
    structuredData,
    msg: rest.slice(1),
  };
}

function invalid(what: string): VigilError {
  return new VigilError('protocol_violation', `not an RFC 5424 message: bad ${what}`);
}
