import type { Command } from 'commander';
import { runReadonlySql } from '../sql-client.ts';
import { renderCsv, renderTable } from '../table.ts';
import type { RuntimeFactory } from './types.ts';

export function registerSql(program: Command, runtime: RuntimeFactory): void {
  program
    .command('sql')
    .description('run one read-only ClickHouse query and print the result')
    .argument('<query>', 'the SQL, e.g. "SELECT count(), sum(cost_usd) FROM llm_calls"')
    .option('--format <format>', 'table, csv or json', 'table')
    .addHelpText(
      'after',
      `
Goes through the running 'llmcost up' (or other owner of the embedded store)
when there is one, else opens the store itself. Writes are refused.

Examples:
  llmcost sql "SELECT touchpoint, sum(cost_usd) FROM cost_daily GROUP BY touchpoint"
  llmcost sql --format csv "SELECT * FROM cost_daily WHERE day = today()"`,
    )
    .action(async (query: string, options: { format: string }, command: Command) => {
      if (!['table', 'csv', 'json'].includes(options.format)) {
        command.error(`--format must be table, csv or json, not '${options.format}'`);
      }
      const result = await runReadonlySql(runtime(command), query);
      if (options.format === 'json') {
        process.stdout.write(JSON.stringify(result.rows, null, 2) + '\n');
      } else if (options.format === 'csv') {
        process.stdout.write(renderCsv(result.columns, result.rows));
      } else {
        process.stdout.write(renderTable(result.columns, result.rows) + '\n');
        process.stdout.write(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`);
      }
    });
}
