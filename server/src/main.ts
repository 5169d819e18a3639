/**
 * iptables-lens-server: the language server's entry point. Chooses the transport from the command
 * line (--stdio, --node-ipc, --socket=PORT, --pipe=NAME) and hands the connection to startServer.
 * Nothing but protocol messages is ever written to stdout once a transport is chosen.
 */
import { type ConnectionOptions, createConnection, LSPErrorCodes, ProposedFeatures } from 'vscode-languageserver/node';
import { FrameResync } from './framing';
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

/**
 * A request the client cancels while it still waits in the queue (an editor typing faster than the
 * server analyses: each keystroke cancels the hover of the one before) is answered "cancelled"
 * at once and never runs, so a burst of edits costs one analysis instead of one per keystroke.
 */
const options: ConnectionOptions = {
  connectionStrategy: {
    cancelUndispatched: (message) => {
      const id = (message as { id?: number | string | null }).id;
      return id === undefined ? undefined : { jsonrpc: '2.0', id: id ?? null, error: { code: LSPErrorCodes.RequestCancelled, message: 'cancelled before it started' } };
    },
  },
};

let connection;
if (args.includes('--stdio')) {
  // stdin through a forgiving framer: garbage or a wrong Content-Length must not leave the
  // server deaf (see framing.ts); what it skips is reported on stderr, a few times at most
  let reports = 0;
  const input = process.stdin.pipe(
    new FrameResync({
      onSkip: (bytes, why) => {
        if (++reports <= 20) process.stderr.write(`iptables-lens-server: skipped ${bytes} bytes on stdin: ${why}\n`);
      },
    }),
  );
  connection = createConnection(ProposedFeatures.all, input, process.stdout, options);
} else {
  connection = createConnection(ProposedFeatures.all, options);
}
startServer(connection, version);
