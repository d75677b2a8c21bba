import { parseFidoArgs, readDemoState, registerDemoFido } from './demo-fido';
import { defaultRepoRoot } from './python';

/** `npm run demo:fido -- USER …`: see demo-fido.ts. */
const args = parseFidoArgs(process.argv.slice(2));
if ('error' in args) {
  console.error(args.error);
  process.exit(2);
}
const state = await readDemoState(defaultRepoRoot);
if ('error' in state) {
  console.error(state.error);
  process.exit(1);
}
try {
  console.log(await registerDemoFido(state, args));
  console.log(`The portal sees it within seconds (the console's CloudTrail event), or at "Check for my key" on ${state.portalUrl}/enroll/fido.`);
} catch (error) {
  console.error(`Could not register the key: ${(error as Error).message}`);
  process.exit(1);
}
