import { TestCluster } from '../support/cluster.js';
import { scenarioSuite } from './suite.js';

// The seeds' scenarios on the local runtime with lb-web on Apache (127.0.40.1, 127.0.50.x, 127.0.60.x).
scenarioSuite(new TestCluster(40, { runtime: 'local', engine: 'apache' }), 120_000);
