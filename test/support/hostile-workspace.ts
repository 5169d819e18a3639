/**
 * A workspace for the tests that check the server reads nothing outside it: rules files inside
 * (rules.v4, sub/other.rules) and, beside it, files only a user's explicit choice may reach
 * (outside/secret.rules, unnamed.rules, named.rules), with two ways out planted in the workspace:
 * a link to a file outside (evil.rules) and a link to the outside folder (linkdir). Each file's
 * text comes from `rules`, given the name of the file's place (WS, SUB, SECRET, UNNAMED, NAMED),
 * so a test can tell by the contents which file was read.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface HostileWorkspace {
  /** The temporary folder holding both; the caller removes it. */
  readonly root: string;
  readonly ws: string;
  readonly outside: string;
}

export function makeHostileWorkspace(tempPrefix: string, rules: (place: string) => string): HostileWorkspace {
  const root = mkdtempSync(path.join(tmpdir(), tempPrefix));
  const ws = path.join(root, 'ws');
  const outside = path.join(root, 'outside');
  mkdirSync(path.join(ws, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(ws, 'rules.v4'), rules('WS'));
  writeFileSync(path.join(ws, 'sub', 'other.rules'), rules('SUB'));
  writeFileSync(path.join(outside, 'secret.rules'), rules('SECRET'));
  writeFileSync(path.join(outside, 'unnamed.rules'), rules('UNNAMED'));
  writeFileSync(path.join(outside, 'named.rules'), rules('NAMED'));
  symlinkSync(path.join(outside, 'secret.rules'), path.join(ws, 'evil.rules'));
  symlinkSync(outside, path.join(ws, 'linkdir'));
  return { root, ws, outside };
}
