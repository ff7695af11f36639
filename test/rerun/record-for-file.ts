// The hooks of a test file that records through a real gateway once and re-runs what it recorded:
// the recording starts before the file's tests and everything it started stops after them.
import { after, before } from 'node:test';
import { type Recording, startRecording } from './recording.js';
import { killLeftoverReruns } from './rerun-cli.js';

export function recordForFile(onReady: (rec: Recording) => void): void {
  let rec: Recording | undefined;
  before(async () => {
    rec = await startRecording();
    onReady(rec);
  });
  after(async () => {
    killLeftoverReruns();
    await rec?.gateway.close();
    await rec?.model.close().catch(() => undefined);
  });
}
