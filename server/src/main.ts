/**
 * iptables-lens-server: the language server's entry point. Chooses the transport from the command
 * line (--stdio, --node-ipc, --socket=PORT, --pipe=NAME) and hands the connection to startServer.
 * Nothing but protocol messages is ever written to stdout once a transport is chosen.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

declare const IPTABLES_LENS_VERSION: string;
const version = typeof IPTABLES_LENS_VERSION === 'string' ? IPTABLES_LENS_VERSION : 'dev';

const HELP = `iptables-lens-server ${version}
Language server for iptables rules files (iptables-save / iptables-restore / iptables -S) and
kernel firewall logs (LOG lines, conntrack listings).

Usage: iptables-lens-server (--stdio | --node-ipc | --socket=PORT | --pipe=NAME)

  --stdio        talk LSP over stdin/stdout (Neovim, Helix, Emacs...)
  --node-ipc     talk LSP over a Node IPC channel (VS Code)
  --socket=PORT  connect to a socket on 127.0.0.1:PORT
  --pipe=NAME    connect to a named pipe
  --version      print the version and exit
  --help         print this help and exit
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write(`${version}\n`);
  process.exit(0);
}
if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe=') || a === '--socket' || a === '--pipe')) {
  process.stderr.write(`iptables-lens-server: choose a transport.\n\n${HELP}`);
  process.exit(2);
}

// stdout belongs to the protocol: anything a dependency prints by accident goes to stderr instead
// eslint-disable-next-line no-console -- redirecting, not printing
console.log = console.info = (...a: unknown[]) => void process.stderr.write(a.map(String).join(' ') + '\n');

const connection = createConnection(ProposedFeatures.all);
startServer(connection, version);
