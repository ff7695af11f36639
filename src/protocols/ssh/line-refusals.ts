// Why the interactive guard refuses a line before policy sees it (line-guard.ts): keys that run a
// line with no Enter to hold, a line that reruns the shell's history, a line that starts a file
// transfer's server. Pure: text in, an error or null out.
import { VigilError } from '../../core/errors.js';
import { historyRerun } from './history-reruns.js';
import type { UnseenRun } from './input-line.js';
import { startsTransferServer } from './transfer-commands.js';

const UNSEEN_RUN_REFUSALS: Record<UnseenRun, string> = {
  'edit-and-execute-command':
    'a line edited in an editor (^X^E) runs without Vigil seeing it; press Enter to run it as typed',
  'call-last-kbd-macro':
    'a keyboard macro (^X e) runs its keys, and an Enter among them, without Vigil seeing them; type the line and press Enter',
  'insert-comment':
    'M-# runs the line without an Enter (with an argument, after taking the # off); press Enter to run it as typed',
};

/** The refusal of a key that runs the line unseen. */
export function unseenRunRefusal(key: UnseenRun): VigilError {
  return new VigilError('statement_uncertain', UNSEEN_RUN_REFUSALS[key]);
}

/**
 * A typed line that starts the sftp server or scp's server side: the keys typed after it would be
 * its protocol, judged as command lines and never as the files they write (transfer-commands.ts).
 */
export function transferRefusal(readings: readonly string[]): VigilError | null {
  return readings.some((r) => r !== '' && startsTransferServer(r))
    ? new VigilError(
        'statement_uncertain',
        'Vigil cannot judge this line: a file transfer started at a prompt is not read file by file; use sftp or scp',
      )
    : null;
}

/** An interactive line that would run text from the shell's history is refused: its text is not what runs. */
export function historyRefusal(readings: readonly string[]): VigilError | null {
  const reason = readings.map(historyRerun).find((r) => r !== null) ?? null;
  return reason === null
    ? null
    : new VigilError(
        'statement_uncertain',
        `Vigil cannot judge this line: ${reason}; type the command itself`,
      );
}
