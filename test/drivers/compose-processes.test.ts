import { describe, expect, it } from 'vitest';
import { ComposeDriver } from '../../src/drivers/compose/compose-driver.js';
import { checkClusterText } from '../../src/spec/check.js';
import { processRows } from '../../src/status/processes.js';
import { recordingRunner } from '../../src/util/runner.js';

// What `docker ps -a --format '{{.Names}}\t{{.State}}\t{{.ID}}\t{{.Image}}'` prints for a project.
const PS = ['mysql1\trunning\t3f2a1b0c9d8e\thactl/mariadb', 'web1\texited\t7c6b5a4d3e2f\thactl/web', 'lb-web\trunning\t0a1b2c3d4e5f\thactl/haproxy'].join('\n');

describe('compose processes', () => {
  it('name each container by its id, running or not, and crash a running one with docker kill', async () => {
    const runner = recordingRunner(([bin, args]) => (bin === 'docker' && args[0] === 'ps' ? { stdout: `${PS}\n` } : {}));
    const { cluster } = checkClusterText('name: unit64\nlisten: 127.0.64.1\nweb: [web1]\ndb: [mysql1]\n');
    const processes = await new ComposeDriver('/nonexistent', runner, 'unit64').processes(cluster);
    expect(runner.commands[0]![1]).toContain('{{.Names}}\t{{.State}}\t{{.ID}}\t{{.Image}}');
    expect(processRows('compose', processes).map(({ name, running, container, pid, kill }) => ({ name, running, container, pid, kill }))).toEqual([
      { name: 'mysql1', running: true, container: '3f2a1b0c9d8e', pid: null, kill: 'docker kill mysql1' },
      { name: 'web1', running: false, container: '7c6b5a4d3e2f', pid: null, kill: null },
      { name: 'lb-db', running: false, container: null, pid: null, kill: null },
      { name: 'lb-web', running: true, container: '0a1b2c3d4e5f', pid: null, kill: 'docker kill lb-web' },
    ]);
  });

  it('with detail (hactl ps), when each running container last started: one docker inspect for them all, none for a plain reading', async () => {
    const INSPECT = ['/mysql1\t2026-12-02T18:01:33.505621Z', '/lb-web\t2026-12-02T18:01:35.1Z'].join('\n');
    const runner = recordingRunner(([bin, args]) => (bin === 'docker' && args[0] === 'ps' ? { stdout: `${PS}\n` } : bin === 'docker' && args[0] === 'inspect' ? { stdout: `${INSPECT}\n` } : {}));
    const { cluster } = checkClusterText('name: unit64\nlisten: 127.0.64.1\nweb: [web1]\ndb: [mysql1]\n');
    const driver = new ComposeDriver('/nonexistent', runner, 'unit64');
    await driver.processes(cluster);
    expect(runner.commands.map(([, args]) => args[0])).toEqual(['ps']);
    const detailed = await driver.processes(cluster, { detail: true });
    expect(runner.commands.at(-1)![1]).toEqual(['inspect', '--format', '{{.Name}}\t{{.State.StartedAt}}', '3f2a1b0c9d8e', '0a1b2c3d4e5f']);
    expect(Object.fromEntries(detailed.map((p) => [p.name, p.startedAt ?? null]))).toEqual({
      mysql1: '2026-12-02T18:01:33.505Z',
      web1: null,
      'lb-db': null,
      'lb-web': '2026-12-02T18:01:35.100Z',
    });
  });

  it("with compose.container_prefix, finds each node's container by the prefixed name and names it in the kill command", async () => {
    const ps = ['t1-mysql1\trunning\t3f2a1b0c9d8e\thactl/mariadb', 't1-web1\trunning\t7c6b5a4d3e2f\thactl/web'].join('\n');
    const runner = recordingRunner(([bin, args]) => (bin === 'docker' && args[0] === 'ps' ? { stdout: `${ps}\n` } : {}));
    const { cluster } = checkClusterText('name: unit64\ncompose: {container_prefix: t1-}\nweb: [web1]\ndb: [mysql1]\n');
    const driver = new ComposeDriver('/nonexistent', runner, 'unit64', cluster.compose.containerPrefix);
    const rows = processRows('compose', await driver.processes(cluster));
    expect(rows.filter((r) => r.running).map((r) => [r.name, r.kill])).toEqual([
      ['mysql1', 'docker kill t1-mysql1'],
      ['web1', 'docker kill t1-web1'],
    ]);
    await driver.kill('web1');
    expect(runner.commands.at(-1)).toEqual(['docker', ['kill', 't1-web1']]);
  });
});
