/**
 * iptables-lens: the command-line front end over the language service, for people without an
 * editor and for CI. Each subcommand lives in its own module under cli/src/commands/.
 */
import { runExplain } from './commands/explain';
import { runLint } from './commands/lint';
import { runLogs } from './commands/logs';
import { runTrace } from './commands/trace';

declare const IPTABLES_LENS_VERSION: string;
const version = typeof IPTABLES_LENS_VERSION === 'string' ? IPTABLES_LENS_VERSION : 'dev';

const HELP = `iptables-lens ${version} — understand iptables rules files and firewall logs

Usage:
  iptables-lens lint [--format text|json|sarif] [--strict] [--family ipv4|ipv6] FILE...
      Check rules files (iptables-save / iptables-restore / iptables -S). Prints
      file:line:col: severity: message [code]. Exit status 1 when an error is found
      (or a warning, with --strict), 2 on bad usage or unreadable files.
  iptables-lens explain [--family ipv4|ipv6] FILE
      Print every chain and rule of a rules file in plain words.
  iptables-lens trace --rules FILE (--packet 'SPEC' | --log-line 'LINE')
                      [--state NEW|ESTABLISHED|RELATED|INVALID|UNTRACKED] [--loose 0|1] [--json]
      Follow one packet through the rules: every rule it meets, whether it matched (and the
      first condition that failed), and the verdict. SPEC is for example
      'tcp 199.30.24.209:36879 -> 11.22.33.44:80 flags ACK,FIN in venet0'.
  iptables-lens logs [--json] [--rules FILE]... [--loose 0|1] FILE...
      Summarise firewall logs: lines by prefix (and the rule that wrote them, with --rules), by
      TCP flags, by the conntrack state a packet gets with no entry, top sources, destinations
      and ports, lines per minute, and how much is harmless teardown noise.
  iptables-lens --help | --version
`;

export type Subcommand = (args: string[], out: (s: string) => void, err: (s: string) => void) => Promise<number> | number;

const COMMANDS: Record<string, Subcommand> = {
  lint: runLint,
  explain: runExplain,
  trace: runTrace,
  logs: runLogs,
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    out(HELP);
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-v') {
    out(`${version}\n`);
    return 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    err(`iptables-lens: unknown command \`${cmd}\`\n\n${HELP}`);
    return 2;
  }
  return run(rest, out, err);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`iptables-lens: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
