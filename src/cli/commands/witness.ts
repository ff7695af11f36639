// `vigil witness`: a small standalone transparency-log witness (c2sp.org/tlog-witness). It cosigns a
// Vigil ledger's checkpoints only when each is consistent with the last it cosigned, so an operator
// who rolls back or forks the ledger cannot get a witness to vouch for it.

import { join } from 'node:path';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { type NoteKey, parseVerifierKey, SIGNATURE_TYPE } from '../../ledger/signed-note.js';
import { splitHostPort } from '../../server/http-listen.js';
import { Witness } from '../../witness/witness.js';
import { loadOrCreateWitnessKey, witnessVerifierKey } from '../../witness/witness-key.js';
import { lockWitnessDir } from '../../witness/witness-lock.js';
import { serveWitness } from '../../witness/witness-server.js';
import { WitnessState } from '../../witness/witness-state.js';
import type { SetExitCode } from './index.js';

interface WitnessFlags {
  dir: string;
  name: string;
  listen: string;
  log: string[];
}

const NAME = /^[^\s+]+$/;

export function register(program: Command, _setExitCode: SetExitCode): void {
  const witness = program
    .command('witness')
    .description('a standalone transparency-log witness that cosigns consistent ledger checkpoints');
  witness
    .command('serve')
    .description('serve POST /add-checkpoint (c2sp.org/tlog-witness) for the logs given with --log')
    .requiredOption(
      '--dir <dir>',
      "the witness's directory: its key and the last checkpoint it cosigned per log",
    )
    .requiredOption('--name <name>', "the witness's name, e.g. witness.example.com/w1")
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:7380')
    .option(
      '--log <vkey>',
      "a log's verifier key (vigil keys public --vkey); repeat for more logs",
      collect,
      [],
    )
    .action(async (flags: WitnessFlags) => {
      checkName(flags.name);
      const logs: NoteKey[] = flags.log.map((vkey) => {
        const key = parseVerifierKey(vkey);
        if (!key || key.type !== SIGNATURE_TYPE.ed25519)
          throw new VigilError('usage', `--log ${vkey} is not an Ed25519 note verifier key`);
        return key;
      });
      if (logs.length === 0) throw new VigilError('usage', 'name at least one log with --log');
      const key = loadOrCreateWitnessKey(flags.dir);
      // Before the state is read: a second process on this directory would judge from stale heads.
      const unlock = lockWitnessDir(flags.dir);
      const [host, port] = splitHostPort(flags.listen);
      const running = await serveWitness(
        new Witness({
          name: flags.name,
          ...key,
          logs,
          state: new WitnessState(join(flags.dir, 'witness-state.json')),
        }),
        witnessVerifierKey(flags.name, key),
        host,
        port,
        (err) => console.error(`witness error: ${(err as Error).message}`),
      );
      console.log(`Vigil witness ${flags.name} listening on ${running.url}`);
      console.log(`  vkey: ${witnessVerifierKey(flags.name, key)}`);
      console.log(`  logs: ${logs.map((l) => l.name).join(', ')}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
      unlock();
    });
  witness
    .command('vkey')
    .description("print the witness's cosignature verifier key (creating its key if there is none)")
    .requiredOption('--dir <dir>', "the witness's directory")
    .requiredOption('--name <name>', "the witness's name")
    .action((flags: { dir: string; name: string }) => {
      checkName(flags.name);
      console.log(witnessVerifierKey(flags.name, loadOrCreateWitnessKey(flags.dir)));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new VigilError('usage', '--name must be one word without spaces or plus signs');
}
