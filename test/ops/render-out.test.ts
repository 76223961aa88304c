import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RenderedFile } from '../../src/render/index.js';
import { projectFor } from '../../src/ops/project.js';
import { renderProject } from '../../src/ops/render.js';
import { writeRendered } from '../../src/drivers/write-rendered.js';
import { recordingRunner } from '../../src/util/runner.js';
import { tempDir } from '../support/temp.js';
import { STARTER_YAML as DEFAULT_YAML } from '../support/starter.js';


describe('render --out', () => {
  it('refuses a target that can take no files before making secrets for them', async () => {
    const dir = tempDir('hactl-render-out-');
    writeFileSync(join(dir, 'cluster.yaml'), DEFAULT_YAML);
    writeFileSync(join(dir, 'taken'), 'mine\n');
    for (const out of ['/sys/hactl-x', join(dir, 'taken'), join(dir, 'taken/sub')]) {
      await expect(renderProject(projectFor(join(dir, 'cluster.yaml')), { runtime: 'local', out }, recordingRunner())).rejects.toMatchObject({ exitCode: 2 });
    }
    expect(readdirSync(dir).sort()).toEqual(['cluster.yaml', 'taken']);
  });

  it('puts the old files back when moving the new ones in fails halfway', async () => {
    const out = tempDir('hactl-render-out-');
    mkdirSync(join(out, 'lb-web'));
    mkdirSync(join(out, 'web1'));
    writeFileSync(join(out, 'lb-web/haproxy.cfg'), 'old config\n');
    writeFileSync(join(out, 'web1/app.json'), 'old settings\n');
    const files: RenderedFile[] = [
      { path: 'lb-web/haproxy.cfg', content: 'new config\n', mode: 0o600, kind: 'haproxy' },
      { path: 'web1/app.json', content: 'new settings\n', mode: 0o600, kind: 'app' },
    ];
    // Something else puts a folder where app.json goes after the checks found the way clear.
    const runner = recordingRunner(() => {
      rmSync(join(out, 'web1/app.json'));
      mkdirSync(join(out, 'web1/app.json'));
      return {};
    });
    await expect(writeRendered(out, files, runner)).rejects.toMatchObject({ exitCode: 2, message: `cannot write to ${out}: a folder is in the way` });
    expect(readFileSync(join(out, 'lb-web/haproxy.cfg'), 'utf8')).toBe('old config\n');
    expect(readdirSync(out).sort()).toEqual(['lb-web', 'web1']);
    expect(readdirSync(join(out, 'lb-web'))).toEqual(['haproxy.cfg']);
    expect(existsSync(join(out, 'web1/app.json'))).toBe(true);
  });
});
