// The tests' TypeScript compiled as the bundle runs it: in strict mode. esbuild-register puts a line
// of its own (for import.meta.url, which nothing here uses) before each file, and that line turns
// esbuild's "use strict" into a plain string: code that writes to a frozen object would pass in a
// test and throw in the server. The banner given here replaces that line.
// The nodes and lists the parser shares between lines are frozen under the tests (see
// server/src/model/shared.ts), here and in the servers the tests start, which inherit the variable.
process.env.IPTABLES_LENS_FREEZE_SHARED ??= '1';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- mocha loads require hooks as CommonJS
require('esbuild-register/dist/node').register({ banner: '"use strict";' });
