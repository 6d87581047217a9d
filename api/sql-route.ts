import { z } from 'zod';
import type { ClickHouseClient } from '../clickhouse/client.ts';
import { checkAnalystQuery } from '../clickhouse/analyst-sql.ts';
import { classifyClickHouseError } from '../clickhouse/errors.ts';
import { HttpError, sendJson } from './http.ts';
import { readBodyAs } from './body.ts';
import type { Route } from './router.ts';

const sqlRequest = z.strictObject({
  query: z.string().trim().min(1, 'query is empty').max(100_000),
  format: z.enum(['json', 'csv']).default('json'),
});

interface JsonResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
  rows: number;
  statistics?: { elapsed: number; rows_read: number; bytes_read: number };
}

function checked(query: string): string {
  try {
    return checkAnalystQuery(query);
  } catch (error) {
    throw new HttpError(400, 'BAD_QUERY', (error as Error).message, 'query');
  }
}

/**
 * POST /api/sql: one read-only query for analysts, run by the read-only
 * ClickHouse session (no writes, no setting changes, row and time limits).
 * Answers `{columns, rows, rowCount}`, or CSV with a header row.
 */
export function sqlRoute(readonly: ClickHouseClient): Route {
  return {
    method: 'POST',
    path: '/api/sql',
    access: 'admin',
    doc: {
      tag: 'sql',
      summary: 'One read-only ClickHouse query (admin only; row and time limits)',
      body: sqlRequest,
      response: z.object({
        columns: z.array(z.object({ name: z.string(), type: z.string() })),
        rows: z.array(z.record(z.string(), z.unknown())),
        rowCount: z.int(),
      }),
      csv: true,
    },
    async handle({ request, response }) {
      const body = await readBodyAs(request, sqlRequest);
      const { format } = body;
      const query = checked(body.query);

      try {
        if (format === 'csv') {
          const result = await readonly.query({ query, format: 'CSVWithNames' });
          response.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
          response.end(await result.text());
          return;
        }
        const result = await readonly.query({ query, format: 'JSON' });
        const body = (await result.json()) as unknown as JsonResult;
        sendJson(response, 200, { columns: body.meta, rows: body.data, rowCount: body.rows });
      } catch (error) {
        const classified = classifyClickHouseError(error, {});
        throw new HttpError(400, classified.code, classified.message);
      }
    },
  };
}
