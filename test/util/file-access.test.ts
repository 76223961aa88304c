import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockedOnTheWay, chownTree, grantPassage } from '../../src/util/file-access.js';
import { tempDir } from '../support/temp.js';

const WWW_DATA = { uid: 33, gid: 33 };
const asRoot = process.getuid?.() === 0;

// runuser asks the kernel as www-data, which only root may do; CI runs as root.
describe.runIf(asRoot)('the way to a file, for www-data', () => {
  it('is blocked at the first folder that lets others not pass, open once it does', () => {
    const project = tempDir('hactl-way-');
    const file = join(project, '.hactl', 'config', 'web1', 'app.json');
    mkdirSync(join(project, '.hactl', 'config', 'web1'), { recursive: true });
    chmodSync(project, 0o700);
    expect(blockedOnTheWay(file, 'www-data')).toBe(project);
    chmodSync(project, 0o711);
    chmodSync(join(project, '.hactl'), 0o700);
    expect(blockedOnTheWay(file, 'www-data')).toBe(join(project, '.hactl'));
    chmodSync(join(project, '.hactl'), 0o711);
    expect(blockedOnTheWay(file, 'www-data')).toBeUndefined();
  });

  it('stops at the folders that exist: one not made yet blocks nobody', () => {
    const dir = tempDir('hactl-way-');
    chmodSync(dir, 0o711);
    expect(blockedOnTheWay(join(dir, 'not', 'yet', 'app.json'), 'www-data')).toBeUndefined();
  });

  it('is opened for www-data alone by an ACL entry, the mode left as it was', () => {
    const dir = tempDir('hactl-way-');
    mkdirSync(join(dir, 'app'));
    chmodSync(dir, 0o700);
    expect(blockedOnTheWay(join(dir, 'app'), 'www-data')).toBe(dir);
    expect(grantPassage(dir, 'www-data')).toBe(true);
    expect(blockedOnTheWay(join(dir, 'app'), 'www-data')).toBeUndefined();
    // Another user is still kept out, and www-data may pass but not list.
    expect(blockedOnTheWay(join(dir, 'app'), 'nobody')).toBe(dir);
    const acl = execFileSync('getfacl', ['-c', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(acl).toMatch(/^user:www-data:--x$/m);
    expect(acl).toMatch(/^other::---$/m);
  });

  it('cannot be granted to a user that does not exist', () => {
    expect(grantPassage(tempDir('hactl-way-'), 'no-such-user-here')).toBe(false);
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
