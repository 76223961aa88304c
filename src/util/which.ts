import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether BIN is an executable on PATH: found without running it (mariadb-install-db --version alone starts five processes). */
export function onPath(bin: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || '.', bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
