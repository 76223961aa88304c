import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HactlError } from '../errors.js';
import { checkHaproxyConfig, type ConfigCheck } from '../render/check.js';
import type { RenderedFile } from '../render/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { Runner } from '../util/runner.js';

export interface WriteResult {
  written: string[];
  /** undefined when haproxy is not installed and nothing could be checked. */
  checks: ConfigCheck[] | undefined;
}

/**
 * Write rendered files into OUT only once every HAProxy config among them
 * has passed `haproxy -c` in a staging folder; each file replaces its old
 * version atomically. A failed check leaves OUT exactly as it was.
 */
export async function writeRendered(out: string, files: RenderedFile[], runner: Runner): Promise<WriteResult> {
  const staging = mkdtempSync(join(tmpdir(), 'hactl-render-'));
  try {
    for (const f of files) writeFileAtomic(join(staging, f.path), f.content, f.mode);
    const checks: ConfigCheck[] = [];
    for (const f of files.filter((f) => f.kind === 'haproxy')) {
      const check = await checkHaproxyConfig(runner, join(staging, f.path));
      if (!check) return { written: write(out, files), checks: undefined };
      checks.push({ ...check, file: f.path });
    }
    const failed = checks.filter((c) => !c.ok);
    if (failed.length > 0) {
      throw new HactlError(
        `haproxy -c rejected ${failed.map((c) => c.file).join(', ')}; nothing was written to ${out}`,
        1,
        failed.map((c) => `${c.file}: ${c.output}`),
      );
    }
    return { written: write(out, files), checks };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function write(out: string, files: RenderedFile[]): string[] {
  return files.map((f) => {
    const path = join(out, f.path);
    writeFileAtomic(path, f.content, f.mode, f.owner);
    return path;
  });
}
