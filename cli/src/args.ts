/** A small argument reader shared by the subcommands: `--flag`, `--opt value`, `--opt=value`, files. */
export interface ParsedArgs {
  readonly flags: Set<string>;
  readonly options: Map<string, string>;
  readonly files: string[];
  readonly errors: string[];
}

export function parseArgs(args: readonly string[], spec: { flags: readonly string[]; options: readonly string[] }): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const files: string[] = [];
  const errors: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      files.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (spec.flags.includes(name)) {
        flags.add(name);
      } else if (spec.options.includes(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) errors.push(`--${name} needs a value`);
        else options.set(name, v);
      } else errors.push(`unknown option ${a}`);
      continue;
    }
    files.push(a);
  }
  return { flags, options, files, errors };
}
