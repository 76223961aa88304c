import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { APP_DIR } from '../support/php-server.js';

const phpFiles = readdirSync(APP_DIR, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.php'))
  .sort();

describe('PHP app sources', () => {
  it('are found (an empty list would make the lint below pass vacuously)', () => {
    expect(phpFiles).toContain('router.php');
    expect(phpFiles.length).toBeGreaterThan(10);
  });

  it.each(phpFiles)('%s passes php -l', async (file) => {
    const result = await execa('php', ['-l', join(APP_DIR, file)], { reject: false });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });
});
