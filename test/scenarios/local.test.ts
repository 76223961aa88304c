import { TestCluster } from '../support/cluster.js';
import { scenarioSuite } from './suite.js';

// The seeds' scenarios on the local runtime (127.0.7.1, 127.0.17.x, 127.0.27.x).
scenarioSuite(new TestCluster(7, { runtime: 'local' }), 120_000);
