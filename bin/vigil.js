#!/usr/bin/env node
// Entry point of the `vigil` command: the compiled CLI lives in dist/ (built by `npm install`).
import { keepExitCode } from '../dist/cli/exit-code.js';
import { main } from '../dist/cli/main.js';

main(process.argv).then(keepExitCode, (err) => {
  console.error(err);
  keepExitCode(2);
});
