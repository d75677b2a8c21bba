// Types for eslint.config.mjs, which ESLint loads as plain JavaScript; eslint.boundaries.test.ts imports its messages.
import type { Linter } from 'eslint';

export declare const BOUNDARY_MESSAGES: Record<'libImportsApp' | 'libImportsComponents' | 'componentsImportApp' | 'sdkOutsideLibAws' | 'processEnv' | 'managedAccounts', string>;
declare const config: Linter.Config[];
export default config;
