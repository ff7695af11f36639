// The re-run endpoint takes no credential, so a browser must not be turned against it. A web page the
// person running the re-run visits can have its own name resolve to 127.0.0.1 (DNS rebinding) and
// then read the re-run's recorded answers, tool listings and resource listings as its own origin.
// Such a request still names the page's host in `Host`. The re-run answers only requests addressed
// to it by an IP address, by `localhost`, or by the host it was told to listen on.
import { isIP } from 'node:net';

/** Whether a request with this Host header was addressed to the re-run itself. */
export function addressedToRerun(hostHeader: string | undefined, listenHost: string): boolean {
  // HTTP/1.0 clients may send none; browsers always send one.
  if (hostHeader === undefined || hostHeader === '') return true;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return true;
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  return bare === listenHost.toLowerCase();
}
