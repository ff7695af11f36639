// What an object read back may be. Whoever can write the folder or the bucket but not the database
// is the attacker the payload hash stands against; before the hash can be checked the object must
// be read, so the read itself must not be theirs to steer: no symlink that makes the gateway read a
// file of its own (a key, a `file:` secret) as a payload, no FIFO that blocks the read for ever, no
// device or object so large that reading it exhausts memory. Such an object is refused as altered.
import { constants } from 'node:buffer';
import { VigilError } from '../../core/errors.js';

/**
 * No payload can be larger: its canonical JSON is one string, at most MAX_STRING_LENGTH UTF-16
 * units, and a unit takes at most 3 bytes of UTF-8 (a surrogate pair, two units, takes 4).
 */
export const MAX_OBJECT_BYTES = constants.MAX_STRING_LENGTH * 3;

/** The object at `key` cannot be one this gateway wrote; readers treat it as an altered payload. */
export function objectRefused(key: string, why: string): VigilError {
  return new VigilError('ledger_tampered', `the object ${key} is not a payload this gateway wrote: ${why}`, {
    details: { key },
  });
}

/** Whether `err` is a refusal from objectRefused (the object is there, but is not a payload). */
export function isObjectRefused(err: unknown): boolean {
  return err instanceof VigilError && err.code === 'ledger_tampered';
}
