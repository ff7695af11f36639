// How a forward's destination reads to the host. OpenSSH's sshd passes the name the client sent
// to getaddrinfo, which reads an IPv4 address as inet_aton does (`127.1`, `2130706433`,
// `0x7f.0.0.1`, `0177.0.0.01` are all 127.0.0.1), an IPv6 one in any of its spellings
// (`::ffff:127.0.0.1` is the IPv4 address it maps), and a name in any case with a trailing dot.
// A rule written for `127.0.0.1` must hold for each; these are the other readings a deny, review
// or alert pattern also sees. `localhost` is read as the loopback addresses, and the unspecified
// address (`0.0.0.0`, `::`), which Linux connects to the host itself, as them too. Pure.
import { isIPv6 } from 'node:net';

const LOOPBACK = ['127.0.0.1', '::1'];

/** The destination's other spellings, as the host reads it (the host as sent excluded). */
export function hostReadings(host: string): string[] {
  const out = new Set<string>();
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.') && !/^[\d.]+$/.test(name)) name = name.slice(0, -1);
  out.add(name);
  const v4 = inetAton(name);
  if (v4) out.add(v4);
  const v6 = isIPv6(name) ? canonicalIPv6(name) : null;
  if (v6) {
    out.add(v6);
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
    if (mapped) {
      const n = (Number.parseInt(mapped[1]!, 16) << 16) | Number.parseInt(mapped[2]!, 16);
      out.add(dotted(n >>> 0));
    }
  }
  const all = [...out];
  if (all.some((a) => a === 'localhost' || a === '0.0.0.0' || a === '::'))
    for (const a of LOOPBACK) out.add(a);
  out.delete(host);
  return [...out];
}

/** An IPv4 address as inet_aton reads it (1 to 4 parts, each decimal, octal or hex), or null. */
export function inetAton(text: string): string | null {
  const parts = text.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = Number.parseInt(part, 8);
    else if (/^[1-9]\d*$/.test(part)) value = Number(part);
    else return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  // The last part fills the bytes the others leave: `127.1` is 127.0.0.1, `2130706433` the whole address.
  if (last >= 2 ** (8 * (4 - values.length))) return null;
  let n = 0;
  for (const v of values) n = n * 256 + v;
  n = n * 2 ** (8 * (4 - values.length)) + last;
  return dotted(n);
}

function dotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** An IPv6 address in its canonical form (lower case, zeros compressed, `::ffff:a.b.c.d` as hex). */
function canonicalIPv6(address: string): string | null {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}
