// Rejection messages echo the offending value, but a client can send anything: keep the echo short and
// unambiguous (quoted strings, visible NaN/undefined) so a message never balloons or misleads.

const MAX_ECHO = 40;

export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}...` : value;
    const quoted = JSON.stringify(shown);
    return value.length > MAX_ECHO ? `${quoted} (${value.length} characters)` : quoted;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
