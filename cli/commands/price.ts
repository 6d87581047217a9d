import type { Command } from 'commander';
import { effectivePrices, PRICE_OF_CLASS } from '../../consumers/pricing/cost.ts';
import { createPriceBook } from '../../consumers/pricing/create-price-book.ts';
import { priceCall } from '../../consumers/pricing/pricer.ts';
import { ValidationError } from '../../lib/errors.ts';
import { usageFromAny } from '../../producers/usage/index.ts';
import { parseLlmCall, TOKEN_CLASSES, totalInputTokens } from '../../schemas/llm-call.ts';
import { renderTable } from '../table.ts';
import type { RuntimeFactory } from './types.ts';

interface PriceFlags {
  provider: string;
  model: string;
  usage: string;
  at?: string;
  prices?: string;
  tenant: string;
  serviceTier?: string;
  requests: number;
  format: string;
}

export function registerPrice(program: Command, runtime: RuntimeFactory): void {
  program
    .command('price')
    .description('price one call from a provider usage object, as the pipeline would')
    .requiredOption('--provider <id>', 'provider, e.g. openai, anthropic, google')
    .requiredOption('--model <name>', 'model as the service sends it, e.g. gpt-4o-2024-08-06')
    .requiredOption('--usage <json>', "the provider's own usage object, as JSON")
    .option(
      '--at <time>',
      'when the call happened, prices in force then: 2025-03-01T12:00:00Z, or a day (UTC midnight)',
    )
    .option('--prices <file>', 'price overrides (default LLMCOST_PRICES_FILE)')
    .option('--tenant <id>', 'tenant, for tenant-specific overrides', 'cli')
    .option(
      '--service-tier <tier>',
      "standard, batch, flex or priority (default: the usage object's, else standard)",
    )
    .option('--requests <n>', 'number of requests the usage stands for', Number, 1)
    .option('--format <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      `
The usage object is read by its shape: OpenAI chat (prompt_tokens …), OpenAI
Responses (input_tokens_details …), Anthropic (input_tokens, cache_* …), Gemini
(promptTokenCount …) or OpenTelemetry (gen_ai.usage.*). Example:
  llmcost price --provider openai --model gpt-4o --at 2025-03-01T12:00:00Z \\
    --usage '{"prompt_tokens":2006,"completion_tokens":300,
              "prompt_tokens_details":{"cached_tokens":1920}}'`,
    )
    .action((flags: PriceFlags, command: Command) => {
      if (!['table', 'json'].includes(flags.format)) {
        command.error(`--format must be table or json, not '${flags.format}'`);
      }
      const rt = runtime(command);
      const usageJson = parseJson(flags.usage);
      const mapped = usageFromAny(usageJson);
      const call = parseLlmCall({
        tenantId: flags.tenant,
        touchpoint: 'cli:price',
        provider: flags.provider,
        model: flags.model,
        serviceTier: flags.serviceTier ?? mapped.serviceTier ?? 'standard',
        usage: mapped.usage,
        unmappedUsage: mapped.unmapped,
        requestCount: flags.requests,
        occurredAt: flags.at === undefined ? undefined : callTime(flags.at, command),
      });

      const book = createPriceBook(
        flags.prices ?? rt.config.pricesFile,
        rt.logger,
        rt.config.modelAliasesFile,
      );
      const priced = priceCall(call, book, Date.now());
      const lookup = book.lookup(call);
      const prices = lookup.row
        ? effectivePrices(call.usage, call.requestCount, lookup.row).prices
        : undefined;

      const result = {
        provider: call.provider,
        model: call.model,
        occurredAt: new Date(call.occurredAt).toISOString(),
        serviceTier: call.serviceTier,
        pricingStatus: priced.pricingStatus,
        priceVersion: priced.priceVersion,
        unpricedReason: priced.unpricedReason,
        tokens: call.usage,
        totalInputTokens: totalInputTokens(call.usage),
        costUsd: priced.cost.totalUsd,
        cost: priced.cost,
        unmappedUsage: call.unmappedUsage,
      };
      if (flags.format === 'json') {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }

      const costOf: Record<string, string> = {
        inputTokens: priced.cost.inputUsd,
        cacheReadTokens: priced.cost.cacheReadUsd,
        cacheWriteTokens: priced.cost.cacheWriteUsd,
        cacheWrite1hTokens: priced.cost.cacheWrite1hUsd,
        outputTokens: priced.cost.outputUsd,
        reasoningTokens: priced.cost.reasoningUsd,
        audioInputTokens: priced.cost.audioInputUsd,
        audioOutputTokens: priced.cost.audioOutputUsd,
      };
      const rows = TOKEN_CLASSES.filter((name) => call.usage[name] > 0).map((name) => ({
        class: name,
        tokens: call.usage[name],
        usd_per_million:
          (
            prices?.[PRICE_OF_CLASS[name]] ??
            (name === 'reasoningTokens' ? prices?.output : undefined)
          )?.toFixed() ?? '',
        cost_usd: costOf[name],
      }));
      process.stdout.write(renderTable(['class', 'tokens', 'usd_per_million', 'cost_usd'], rows));
      process.stdout.write(`\n\ntotal:   ${result.costUsd} USD  (${result.pricingStatus})\n`);
      if (priced.cost.requestUsd !== '0') {
        process.stdout.write(`requests: ${priced.cost.requestUsd} USD\n`);
      }
      process.stdout.write(`price:   ${result.priceVersion || '-'}\n`);
      if (result.unpricedReason) process.stdout.write(`why:     ${result.unpricedReason}\n`);
      if (Object.keys(result.unmappedUsage).length > 0) {
        process.stdout.write(`kept, not priced: ${JSON.stringify(result.unmappedUsage)}\n`);
      }
    });
}

/** --at as the ISO time the pipeline takes, a bare day read as its UTC midnight. */
function callTime(at: string, command: Command): string {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T00:00:00Z` : at;
  if (Number.isNaN(Date.parse(iso)) || !/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) {
    command.error(
      `--at must be a day (2025-03-01) or a time with its zone (2025-03-01T12:00:00Z), not '${at}'`,
    );
  }
  return iso;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError('--usage', [
      { path: '', message: `not valid JSON: ${String(error)}` },
    ]);
  }
}
