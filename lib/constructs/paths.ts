import { fileURLToPath } from 'node:url';

/** Absolute path of a file of the repository, from this folder (works under tsx, vitest and the CDK CLI). */
export const repoPath = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));
