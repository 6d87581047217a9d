// Types of format.js for the Node side (its unit test); the browser modules
// are checked against format.js itself by this folder's tsconfig.
export function roundDecimal(text: string, places: number): string;
export function formatUsd(text: string | null | undefined, places?: number): string;
export function formatCount(value: number | null | undefined): string;
export function formatPercent(text: string | null | undefined): string;
