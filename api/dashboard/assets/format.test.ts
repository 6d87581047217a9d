import { describe, expect, it } from 'vitest';
import { formatUsd, roundDecimal } from './format.js';

describe('dashboard money formats', () => {
  it('round decimal strings half away from zero on their digits', () => {
    expect(roundDecimal('0.005', 2)).toBe('0.01');
    expect(roundDecimal('0.004999999999999999', 2)).toBe('0.00');
    expect(roundDecimal('-1.005', 2)).toBe('-1.01');
    expect(roundDecimal('-0.001', 2)).toBe('0.00');
    expect(roundDecimal('96.791325', 2)).toBe('96.79');
  });

  it('show dollars with grouped thousands', () => {
    expect(formatUsd('1234567.891')).toBe('$1,234,567.89');
    expect(formatUsd('-12.5')).toBe('-$12.50');
    expect(formatUsd('0.0032', 4)).toBe('$0.0032');
    expect(formatUsd(null)).toBe('—');
  });
});
