import type { Command } from 'commander';
import type { Runtime } from '../runtime.ts';

/** Builds the runtime of a command from its options and the global ones (--data-dir …). */
export type RuntimeFactory = (command: Command) => Runtime;
