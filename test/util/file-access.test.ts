import { chmodSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockedOnTheWay, chownTree } from '../../src/util/file-access.js';
import { tempDir } from '../support/temp.js';

const WWW_DATA = { uid: 33, gid: 33 };
const asRoot = process.getuid?.() === 0;

describe('the way to a file, for another user', () => {
  it('is blocked at the first folder that lets others not pass, open once it does', () => {
    const project = tempDir('hactl-way-');
    const file = join(project, '.hactl', 'config', 'web1', 'app.json');
    mkdirSync(join(project, '.hactl', 'config', 'web1'), { recursive: true });
    chmodSync(project, 0o700);
    expect(blockedOnTheWay(file, WWW_DATA)).toBe(project);
    chmodSync(project, 0o711);
    chmodSync(join(project, '.hactl'), 0o700);
    expect(blockedOnTheWay(file, WWW_DATA)).toBe(join(project, '.hactl'));
    chmodSync(join(project, '.hactl'), 0o711);
    expect(blockedOnTheWay(file, WWW_DATA)).toBeUndefined();
  });

  it("counts the owner's bits for the owner, not the others'", () => {
    const dir = tempDir('hactl-way-');
    chmodSync(dir, 0o700);
    const self = { uid: statSync(dir).uid, gid: statSync(dir).gid };
    expect(blockedOnTheWay(dir, self)).toBeUndefined();
  });
});

describe.runIf(asRoot)('giving a folder away', () => {
  it('gives every file and folder under it, and leaves what a link points at alone', () => {
    const dir = tempDir('hactl-chown-');
    mkdirSync(join(dir, 'sessions'));
    writeFileSync(join(dir, 'sessions', 'sess_1'), 'x');
    const outside = join(tempDir('hactl-chown-'), 'elsewhere');
    writeFileSync(outside, 'y');
    symlinkSync(outside, join(dir, 'link'));
    chownTree(dir, WWW_DATA);
    for (const p of [dir, join(dir, 'sessions'), join(dir, 'sessions', 'sess_1')]) expect(statSync(p).uid, p).toBe(33);
    expect(statSync(outside).uid).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['link', 'sessions']);
  });
});
