// Runs the CLI from source (tests, development): `node --import tsx src/cli/run.ts ...`.

import { keepExitCode } from './exit-code.js';
import { main } from './main.js';

keepExitCode(await main(process.argv));
