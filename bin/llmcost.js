#!/usr/bin/env node
// The command runs the TypeScript sources through tsx's loader, so a clone works
// without a build step and a stack trace points at the file a reader can open.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
