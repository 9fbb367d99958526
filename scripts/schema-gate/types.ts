/** One schema file `schemas/<name>/<version>.json`. */
export interface SchemaFile {
  /** Event name: the folder name. */
  readonly name: string;
  /** Version string: the file name without `.json`. */
  readonly version: string;
  /** `Name/version`, the key used in the lock. */
  readonly key: string;
  readonly path: string;
  /** Raw file text (what the lock hashes). */
  readonly content: string;
  readonly schema: Record<string, unknown>;
}

/** One failed check. */
export interface GateIssue {
  readonly check: 'layout' | 'lock' | 'pinning' | 'keywords' | 'compile' | 'generated';
  /** What failed: a schema key (`TaskSolved/0`), a file, ... */
  readonly subject: string;
  readonly message: string;
}

/** Compatibility of version N with version N-1 of one event. */
export interface CompatibilityResult {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** Consumers of `to` can read events of `from`. */
  readonly backward: boolean;
  /** Consumers of `from` can read events of `to`. */
  readonly forward: boolean;
  /** Why, in words. */
  readonly notes: readonly string[];
}
