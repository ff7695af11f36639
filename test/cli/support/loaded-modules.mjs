// `node --import` this to have the process list the files it loads (loaded-modules-hook.mjs).
import { register } from 'node:module';

register('./loaded-modules-hook.mjs', import.meta.url);
