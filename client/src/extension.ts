/**
 * The VS Code side: start the language server over IPC for the two languages and pass settings
 * through. Nothing clever happens here; every feature lives in the server.
 */
import * as path from 'node:path';
import type { ExtensionContext } from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'iptables' },
      { language: 'netfilter-log' },
    ],
    synchronize: { configurationSection: 'iptablesLens' },
  };
  client = new LanguageClient('iptablesLens', 'iptables-lens', serverOptions, clientOptions);
  await client.start();
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
  client = undefined;
}
