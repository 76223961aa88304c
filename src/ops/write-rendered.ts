import { join } from 'node:path';
import { HactlError } from '../errors.js';
import { checkHaproxyConfig, type ConfigCheck } from '../render/check.js';
import type { RenderedFile } from '../render/index.js';
import type { Runner } from '../util/runner.js';
import { writeAllOrNothing } from '../util/write-all.js';

export interface WriteResult {
  written: string[];
  /** undefined when haproxy is not installed and nothing could be checked. */
  checks: ConfigCheck[] | undefined;
}

/**
 * Write rendered files into OUT only once every HAProxy config among them
 * has passed `haproxy -c` as staged; all of them or none. A failed check,
 * or anything in OUT's way, leaves OUT exactly as it was.
 */
export async function writeRendered(out: string, files: RenderedFile[], runner: Runner): Promise<WriteResult> {
  let checks: ConfigCheck[] | undefined;
  const written = await writeAllOrNothing(out, files, async (staging) => {
    checks = await checkAll(staging, files, runner);
    const failed = (checks ?? []).filter((c) => !c.ok);
    if (failed.length > 0) {
      throw new HactlError(
        `haproxy -c rejected ${failed.map((c) => c.file).join(', ')}; nothing was written to ${out}`,
        1,
        failed.map((c) => `${c.file}: ${c.output}`),
      );
    }
  });
  return { written, checks };
}

/** undefined as soon as haproxy turns out not to be installed. */
async function checkAll(staging: string, files: RenderedFile[], runner: Runner): Promise<ConfigCheck[] | undefined> {
  const checks: ConfigCheck[] = [];
  for (const f of files.filter((f) => f.kind === 'haproxy')) {
    const check = await checkHaproxyConfig(runner, join(staging, f.path));
    if (!check) return undefined;
    checks.push({ ...check, file: f.path });
  }
  return checks;
}
