import { invalid } from '../errors.js';

/** An optional integer query parameter: absent or empty is undefined, anything else must be digits. */
export function intParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!/^-?\d{1,15}$/.test(value)) throw invalid(`${name} must be an integer`, name);
  return Number(value);
}
