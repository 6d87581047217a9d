import type { Command } from 'commander';
import { runDoctor } from '../doctor.ts';
import type { RuntimeFactory } from './types.ts';

export function registerDoctor(program: Command, runtime: RuntimeFactory): void {
  program
    .command('doctor')
    .description('check what a run needs (Java, Kafka, topics, ClickHouse, migrations, ports)')
    .action(async (_options, command: Command) => {
      const results = await runDoctor(runtime(command));
      for (const check of results) {
        process.stdout.write(
          `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(16)} ` + `${check.detail}\n`,
        );
        if (!check.ok && check.fix) process.stdout.write(`      ${''.padEnd(16)} → ${check.fix}\n`);
      }
      process.exitCode = results.every((check) => check.ok) ? 0 : 1;
    });
}
