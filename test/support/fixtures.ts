/** The project's own test fixtures (test/fixtures), read by name. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function fixtureUri(name: string): string {
  return `file://${path.join(FIXTURES, name)}`;
}
