/**
 * The VS Code side: start the language server over IPC for the two languages, pass settings
 * through, and offer the commands that need a question to the user (the server does the work).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;
let pathDecoration: vscode.TextEditorDecorationType | undefined;

interface TraceAnswer {
  markdown?: string;
  lines?: number[];
  error?: string;
}

async function tracePacket(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || editor.document.languageId !== 'iptables') {
    void vscode.window.showWarningMessage('Open an iptables rules file first.');
    return;
  }
  const packet = await vscode.window.showInputBox({
    title: 'Trace a packet through these rules',
    prompt: 'PROTO SRC[:PORT] -> DST[:PORT] [flags F,F] [in IF] [out IF] [type T/C]',
    placeHolder: 'tcp 199.30.24.209:36879 -> 11.22.33.44:80 flags ACK,FIN in eth0',
    ignoreFocusOut: true,
  });
  if (!packet) return;
  const state = await vscode.window.showQuickPick(['auto', 'NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'], {
    title: 'Conntrack state (auto: what the kernel gives a packet with no entry)',
  });
  if (!state) return;
  const answer = (await client.sendRequest('workspace/executeCommand', {
    command: 'iptablesLens.trace',
    arguments: [{ uri: editor.document.uri.toString(), packet, state }],
  })) as TraceAnswer;
  if (answer.error) {
    void vscode.window.showErrorMessage(`Cannot read the packet: ${answer.error}`);
    return;
  }
  pathDecoration?.dispose();
  pathDecoration = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
  });
  editor.setDecorations(pathDecoration, (answer.lines ?? []).map((l) => new vscode.Range(l, 0, l, 0)));
  const report = await vscode.workspace.openTextDocument({ content: answer.markdown ?? '', language: 'markdown' });
  await vscode.window.showTextDocument(report, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}

async function summarizeLog(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || editor.document.languageId !== 'netfilter-log') {
    void vscode.window.showWarningMessage('Open a firewall log (language netfilter-log) first.');
    return;
  }
  const answer = (await client.sendRequest('workspace/executeCommand', {
    command: 'iptablesLens.logSummary',
    arguments: [{ uri: editor.document.uri.toString() }],
  })) as { markdown?: string };
  const report = await vscode.workspace.openTextDocument({ content: answer.markdown ?? '', language: 'markdown' });
  await vscode.window.showTextDocument(report, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  await vscode.commands.executeCommand('markdown.showPreview', report.uri);
}

/** Lines that only the kernel's LOG target (or conntrack) writes. */
const FIREWALL_LINE = /\bIN=\S*\s+OUT=\S*\s|\bsrc=\S+ dst=\S+ sport=\d+ dport=\d+|nf_conntrack: /;

/**
 * A `.log` or plain-text file whose first lines are mostly firewall lines becomes netfilter-log.
 * Only reads the text already open in the editor.
 */
function detectLogLanguage(doc: vscode.TextDocument): void {
  if (doc.languageId !== 'plaintext' && doc.languageId !== 'log') return;
  const n = Math.min(doc.lineCount, 20);
  let hits = 0;
  let nonEmpty = 0;
  for (let i = 0; i < n; i++) {
    const t = doc.lineAt(i).text;
    if (!t.trim()) continue;
    nonEmpty++;
    if (FIREWALL_LINE.test(t)) hits++;
  }
  if (nonEmpty > 0 && hits * 2 > nonEmpty) void vscode.languages.setTextDocumentLanguage(doc, 'netfilter-log');
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'iptables' }, { language: 'netfilter-log' }],
    synchronize: { configurationSection: 'iptablesLens' },
  };
  client = new LanguageClient('iptablesLens', 'iptables-lens', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('iptablesLens.tracePacket', tracePacket),
    vscode.commands.registerCommand('iptablesLens.summarizeLog', summarizeLog),
    vscode.workspace.onDidOpenTextDocument(detectLogLanguage),
  );
  for (const d of vscode.workspace.textDocuments) detectLogLanguage(d);
  await client.start();
}

export async function deactivate(): Promise<void> {
  pathDecoration?.dispose();
  if (client) await client.stop();
  client = undefined;
}
