/** An observed value as a message shows it: strings quoted, numbers to six significant digits. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(+value.toPrecision(6));
  return JSON.stringify(value) ?? String(value);
}
