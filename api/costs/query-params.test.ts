import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listOf, param, parseParams } from './query-params.ts';

const specs = {
  day: param({ schema: z.iso.date(), description: 'd', expects: 'a date YYYY-MM-DD' }),
  by: param({ schema: listOf(['a', 'b']).optional(), description: 'l', expects: 'a, b' }),
};
const parse = (query: string) => () => parseParams(new URLSearchParams(query), specs);

describe('query parameters', () => {
  it('parse lists and required values', () => {
    expect(parseParams(new URLSearchParams('day=2025-01-01&by=b,a'), specs)).toEqual({
      day: '2025-01-01',
      by: ['b', 'a'],
    });
  });

  it('answer 400 naming the parameter and what it allows', () => {
    const expectBad = (query: string, field: string, message: RegExp) =>
      expect(parse(query)).toThrow(
        expect.objectContaining({ status: 400, field, message: expect.stringMatching(message) }),
      );
    expectBad('', 'day', /^day: is required; expected a date/);
    expectBad('day=2025-01-01&by=a,a', 'by', /^by: 'a,a' is not allowed; expected a, b/);
    expectBad('day=2025-01-01&day=2025-01-02', 'day', /more than once/);
    expectBad('day=2025-01-01&other=1', 'other', /unknown parameter; allowed: day, by/);
  });
});
