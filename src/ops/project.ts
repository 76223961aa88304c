import { dirname, join, resolve } from 'node:path';
import { badInput } from '../errors.js';
import { STATE_DIR_NAME } from '../paths.js';
import { localLayout } from '../render/layout.js';
import { BALANCERS } from '../spec/model.js';
import { HAPROXY_SOCKET_PATH, socketPathProblem, unquotablePathCharacters, type SocketPathLimit } from '../util/config-path.js';
import { kernelFilesystem } from '../util/kernel-fs.js';

/** A cluster project: its cluster.yaml and the state folder beside it. */
export interface Project {
  file: string;
  dir: string;
  stateDir: string;
}

/**
 * Every command starts here, before anything is read or written: the
 * project's folder ends up in rendered configs (sockets, pid files, data
 * folders), so a folder that no config can hold is refused now rather than
 * after secrets.json has been made for it.
 */
export function projectFor(file: string): Project {
  const abs = resolve(file);
  const dir = dirname(abs);
  const bad = unquotablePathCharacters(dir);
  if (bad.length > 0) {
    throw badInput(`the project folder ${JSON.stringify(dir)} contains ${bad.join(' and ')}, which no config file can hold safely: move cluster.yaml to a plainer folder`);
  }
  const kernel = kernelFilesystem(dir);
  if (kernel !== undefined) throw badInput(`the project folder ${dir} is on a kernel filesystem (${kernel}): cluster.yaml and its state cannot live there`);
  const stateDir = join(dir, STATE_DIR_NAME);
  const layout = localLayout(stateDir);
  assertSocketPaths(
    BALANCERS.flatMap((lb) => [layout.balancer(lb).adminSocket, layout.balancer(lb).masterSocket]),
    HAPROXY_SOCKET_PATH,
  );
  return { file: abs, dir, stateDir };
}

/** A socket path longer than its daemon takes fails only when the daemon starts: say so before. */
export function assertSocketPaths(paths: readonly string[], limit: SocketPathLimit): void {
  for (const path of paths) {
    const problem = socketPathProblem(path, limit);
    if (problem) throw badInput(`${problem}: move cluster.yaml to a shorter folder`);
  }
}
