import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestCluster } from '../support/cluster.js';
import { scenarioSuite } from './suite.js';

// The seeds' scenarios on the compose runtime: containers web1, web2,
// mysql1, mysql2, lb-web, lb-db (names are global to the Docker engine, so
// this is the only compose test). Entry points published on 127.0.35.1 only.
// No engine is a failure, not a skip: .ci/run starts one (scripts/docker-setup.sh).
const cluster = new TestCluster(35, { runtime: 'compose' });

beforeAll(async () => {
  const engine = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false });
  if (engine.exitCode !== 0) throw new Error(`no Docker engine answers (run: sudo bash scripts/docker-setup.sh): ${engine.stderr}`);
});

// Registered before the suite's own teardown, so it runs after it (hooks run as a stack).
afterAll(async () => {
  // Torn down by the suite: nothing of the project may be left.
  const left = await execa('docker', ['ps', '-a', '--filter', 'label=com.docker.compose.project=test35', '--format', '{{.Names}}'], { reject: false });
  const volumes = await execa('docker', ['volume', 'ls', '-q', '--filter', 'label=com.docker.compose.project=test35'], { reject: false });
  const networks = await execa('docker', ['network', 'ls', '-q', '--filter', 'label=com.docker.compose.project=test35'], { reject: false });
  expect([left.stdout, volumes.stdout, networks.stdout]).toEqual(['', '', '']);
}, 120_000);

it('runs containers named as in cluster.yaml', async () => {
  const r = await execa('docker', ['ps', '--filter', 'label=com.docker.compose.project=test35', '--format', '{{.Names}}']);
  expect(r.stdout.split('\n').sort()).toEqual(['lb-db', 'lb-web', 'mysql1', 'mysql2', 'web1', 'web2']);
});

// The first run builds the images (about a minute).
scenarioSuite(cluster, 900_000);

