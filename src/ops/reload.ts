import type { Progress } from '../drivers/driver.js';
import type { Runner } from '../util/runner.js';
import type { OpOptions } from './context.js';
import type { Project } from './project.js';
import { up, type UpSummary } from './up.js';

/** Validate, render, check (haproxy -c), then reload both balancers hitlessly even if nothing changed. */
export function reloadBalancers(project: Project, options: OpOptions, runner: Runner, progress: Progress): Promise<UpSummary> {
  return up(project, { ...options, reloadBalancers: true }, runner, progress);
}
