#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx embedkeep` needs no build step.
// The project's tsconfig is named explicitly: from another working directory tsx would not find it.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/cli.ts');
