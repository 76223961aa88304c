import { gracefulCommand } from '../../apache/graceful.js';
import type { Command } from '../../util/runner.js';

/**
 * The compose runtime's commands as argument arrays, pure so that tests can
 * assert them. COMPOSE is how this machine runs compose: the `docker
 * compose` plugin, or the `docker-compose` v1 binary (all Debian 12 has).
 */
export type ComposeCli = readonly [bin: string, prefix: readonly string[]];

export const COMPOSE_CLIS: readonly ComposeCli[] = [
  ['docker', ['compose']],
  ['docker-compose', []],
];

export function compose(cli: ComposeCli, project: string, file: string, ...args: string[]): Command {
  return [cli[0], [...cli[1], '-p', project, '-f', file, ...args]];
}

export const engineVersion: Command = ['docker', ['info', '--format', '{{.ServerVersion}}']];

/** The image's build-source label: empty output or a failure means build it. */
export const SOURCE_LABEL = 'hactl.source';

export function imageSource(tag: string): Command {
  return ['docker', ['image', 'inspect', '--format', `{{index .Config.Labels "${SOURCE_LABEL}"}}`, tag]];
}

export function buildImage(tag: string, context: string, source: string): Command {
  return ['docker', ['build', '--label', `${SOURCE_LABEL}=${source}`, '-t', tag, context]];
}

/** Every container of the project with its state (running, exited, …), short id and image, one per line. */
export function containers(project: string): Command {
  return ['docker', ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}\t{{.State}}\t{{.ID}}\t{{.Image}}']];
}

/** Each container's name and when it last started (ISO 8601), one line each. */
export function containerStarts(ids: readonly string[]): Command {
  return ['docker', ['inspect', '--format', '{{.Name}}\t{{.State.StartedAt}}', ...ids]];
}

export function containerAddress(name: string): Command {
  return ['docker', ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', name]];
}

/** Stopped gracefully (MariaDB flushes, HAProxy finishes), then removed; by container name, so a node no longer in the compose file too. */
export function stopContainer(name: string): Command[] {
  return [
    ['docker', ['stop', '--time', '30', name]],
    ['docker', ['rm', name]],
  ];
}

/** The project's named volumes (a DB node's data): `<project>_<node>-data`. */
export function volumes(project: string): Command {
  return ['docker', ['volume', 'ls', '--quiet', '--filter', `label=com.docker.compose.project=${project}`]];
}

export function removeVolume(name: string): Command {
  return ['docker', ['volume', 'rm', name]];
}

export function kill(name: string): Command {
  return ['docker', ['kill', name]];
}

/** Root inside a DB container logs in over its socket (unix_socket), no password on any command line. */
export function cloneCommands(donor: string, target: string, database: string): { dump: Command; load: Command } {
  return {
    dump: ['docker', ['exec', donor, 'mariadb-dump', '--single-transaction', '--master-data=2', '--routines', '--triggers', '--databases', database]],
    load: ['docker', ['exec', '-i', target, 'mariadb', '--init-command=SET SESSION sql_log_bin=0']],
  };
}

/** Apache's graceful restart in lb-web's container, with the config in CONFIG_DIR (see gracefulCommand). */
export function gracefulInside(container: string, configDir: string): Command {
  const [bin, args] = gracefulCommand('apache2', `${configDir}/httpd.conf`);
  return ['docker', ['exec', container, bin, ...args]];
}

export function logs(name: string, lines: number, follow: boolean): Command {
  return ['docker', ['logs', '--tail', String(lines), ...(follow ? ['--follow'] : []), name]];
}

/** What a container printed from SINCE (an ISO 8601 time) on. */
export function logsSince(name: string, since: string): Command {
  return ['docker', ['logs', '--since', since, name]];
}
