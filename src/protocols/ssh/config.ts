// The connection type the SSH module serves: Vigil is an SSH server on `listen`, and a client of the
// real host at `upstream`, logging in there as `user` with the credential Vigil holds.
import { z } from 'zod';
import { connectionBase, duration, hostPort, secretRef } from '../../core/config.js';

const sshConnection = {
  ...connectionBase,
  /** The real host, HOST:PORT. */
  upstream: hostPort,
  listen: hostPort,
  /** The login on the upstream host. */
  user: z.string().min(1),
  /** A private key (PEM or OpenSSH) or a password, by reference: the user never sees it. */
  credential: secretRef,
  /** The upstream's host key fingerprint (`SHA256:…` as ssh-keygen -l prints it); without it, the first key seen is pinned. */
  host_key: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256:… fingerprint (ssh-keygen -lf KEY.pub)')
    .optional(),
  allow_port_forwarding: z.boolean().default(false),
  allow_agent_forwarding: z.boolean().default(false),
  allow_x11_forwarding: z.boolean().default(false),
  /**
   * How long Vigil waits, at Enter, for the host to echo what was typed. No echo by then means the
   * terminal had echo off (a password prompt): the line is recorded as typed, not stored.
   */
  echo_wait: duration.default(300),
  /** The longest command line (interactive or exec) Vigil judges; a longer one is refused. */
  max_line_bytes: z
    .number()
    .int()
    .min(256)
    .default(64 * 1024),
  /** Terminal output is recorded in chunks of at most this many bytes or this long. */
  output_chunk_bytes: z
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  output_chunk_time: duration.default(200),
  /**
   * Output recorded per channel as ssh.output (the rest by size and SHA-256 in ssh.exit): a terminal
   * is what a person saw, so most of it is kept; a command without a terminal (`ssh host cat FILE`)
   * is often bulk data, whose first bytes show what it was.
   */
  record_terminal_output_bytes: z
    .number()
    .int()
    .min(0)
    .default(64 * 1024 * 1024),
  record_command_output_bytes: z
    .number()
    .int()
    .min(0)
    .default(1024 * 1024),
  /** Files transferred up to this size are recorded with their contents (masked like everything else); 0 keeps none. */
  record_file_contents_bytes: z
    .number()
    .int()
    .min(0)
    .max(16 * 1024 * 1024)
    .default(0),
  /**
   * Programs whose piped input (a command without a terminal) is data, beside those Vigil knows
   * (input-data.ts): input to any other program is refused, since it may read it as a program.
   */
  stdin_data_programs: z.array(z.string().min(1)).default([]),
  /**
   * Environment variables a session may ask for, beside the locale's and a few others
   * (env-requests.ts): a name, or a prefix ending in `*`. A start asking for any other is refused.
   */
  env_allow: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, 'a variable name, or a prefix ending in *'))
    .default([]),
  /** Keep-alive towards the upstream host (0 turns it off). */
  keepalive: duration.default(15_000),
};

export const SSH_CONNECTION_TYPES = {
  ssh: z.strictObject({ type: z.literal('ssh'), ...sshConnection }),
} as const;

export type SshConnectionConfig = z.output<typeof SSH_CONNECTION_TYPES.ssh>;
