// Vigil's own log (pino, JSON lines). Every line passes through the masker before it is written,
// so a secret in an error message or a logged object never reaches the log.
import { type Logger, pino } from 'pino';

export type TextMasker = (text: string) => string;

export function createLogger(
  level: string,
  mask: TextMasker,
  destination: NodeJS.WritableStream = process.stderr,
): Logger {
  return pino(
    { level, base: { svc: 'vigil' }, hooks: { streamWrite: (line: string) => mask(line) } },
    destination as pino.DestinationStream,
  );
}
