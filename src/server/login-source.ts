// Who a connection still logging in comes from, for the per-source bound of the TCP listeners
// (listeners.max_pending_logins_per_source): its remote address, an IPv4-mapped IPv6 address
// folded to the IPv4 it maps, and an IPv6 address grouped by its /64, as whoever has one IPv6
// address is usually routed the whole /64 (RFC 6177 hands out /48 to /64 per site) and could
// otherwise take one per-source share per address.
import { isIPv4, isIPv6 } from 'node:net';

/** The key a remote address is counted under: `a.b.c.d`, `xxxx:xxxx:xxxx:xxxx::/64`, or the address itself. */
export function loginSource(address: string | undefined): string {
  if (!address) return 'unknown';
  const zoneless = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(zoneless);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(zoneless)) return zoneless;
  if (!isIPv6(zoneless)) return zoneless;
  const groups = ipv6Groups(zoneless);
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (with `::` expanded and a trailing dotted quad read as two groups). */
function ipv6Groups(address: string): number[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const parse = (part: string | undefined): number[] => {
    if (!part) return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [Number.parseInt(g, 16)];
      const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}
