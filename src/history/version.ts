/**
 * A version of the history, and a line of its list: types only, so that
 * the dashboard's page can use them too (src/history/store.ts reads and
 * writes them).
 */

export interface Version {
  version: number;
  /** ISO 8601. */
  at: string;
  user: string;
  /** What was asked: the command line, or the dashboard's action. */
  command: string;
  result: 'applied' | 'failed';
  /** Why it failed, as hactl said it. */
  error?: string;
  /** The step of the plan that failed. */
  step?: string;
  /** After a failure: what was put back (the version that serves again), or why it could not be. */
  restored?: string;
  /** The plan that ran, a line per step (describeAction's words). */
  plan: string[];
  /** cluster.yaml's text as it was applied. */
  cluster_yaml: string;
  /** Each rendered config by its path, secrets redacted; certificates (keys) left out. */
  files: Record<string, string>;
}

/** A version as `hactl history` lists it: who, what, when, how it ended; the contents stay in the file. */
export type VersionSummary = Pick<Version, 'version' | 'at' | 'user' | 'command' | 'error'> & {
  /** damaged: its file was changed by hand or is unreadable (error says why); it is listed, never used. */
  result: Version['result'] | 'damaged';
  steps: number;
  running: boolean;
};
