// `vigil token hash`: the SHA-256 a vigil.yaml identity stores instead of its token.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { hashToken } from '../../identity/config-tokens.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  const token = program.command('token').description('Vigil tokens');
  token
    .command('hash')
    .description('print the token_sha256 for a token (read from the argument or standard input)')
    .argument('[token]')
    .action(async (value?: string) => {
      const input = value ?? (await readStdin()).trim();
      console.log(hashToken(input));
    });
  token
    .command('new')
    .description('generate a random token and print it with its token_sha256')
    .action(() => {
      const fresh = `vgl_${randomBytes(24).toString('base64url')}`;
      console.log(`token:        ${fresh}\ntoken_sha256: ${hashToken(fresh)}`);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
