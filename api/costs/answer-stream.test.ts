import { describe, expect, it } from 'vitest';
import { csvLine } from './answer-stream.ts';

describe('CSV lines', () => {
  it('quote separators, quotes and line breaks', () => {
    expect(csvLine(['a,b', 'say "hi"', 'x\ny', 3], new Set())).toBe(
      '"a,b","say ""hi""","x\ny",3\r\n',
    );
  });

  it('defuse text that a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvLine(['=HYPERLINK("x")', '-0.5', '@sum'], new Set([0, 2]))).toBe(
      `"'=HYPERLINK(""x"")",-0.5,'@sum\r\n`,
    );
  });
});
