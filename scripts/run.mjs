#!/usr/bin/env node
/**
 * `node scripts/run.mjs <command> [args…]`: runs a command with a Node >= 22 first on PATH (Node 24 from .tools/ on
 * a machine that only has an older one, see node-runtime.mjs), so the command and every child it spawns use it.
 * The npm scripts go through here; this file must itself run on Node 20.
 */
import { spawn } from 'node:child_process';
import { supportedNodeEnv } from './node-runtime.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/run.mjs <command> [args…]');
  process.exit(2);
}

let env;
try {
  env = supportedNodeEnv();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

const child = spawn(command, args, { stdio: 'inherit', env });
child.on('error', (error) => {
  console.error(`run: ${command}: ${error.message}`);
  process.exit(127);
});
// A terminal's Ctrl-C reaches the whole foreground group, the child included: forwarding SIGINT as well would be
// the child's second one (the demo takes a second SIGINT as "exit now"). Signals sent to this process alone are passed on.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
