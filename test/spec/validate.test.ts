import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkClusterText } from '../../src/spec/check.js';
import { formatProblem } from '../../src/spec/problem.js';
import { STARTER_YAML as DEFAULT_YAML } from '../support/starter.js';


function problems(text: string): string[] {
  return checkClusterText(text).problems.map((p) => formatProblem('c.yaml', p));
}

describe('validation of cluster.yaml', () => {
  it("takes a compose container prefix (none by default), and refuses one Docker would not take or a quote could leave", () => {
    expect(checkClusterText('web: [web1]\n').cluster.compose.containerPrefix).toBe('');
    expect(checkClusterText('compose: {container_prefix: staging-}\nweb: [web1]\n').cluster.compose.containerPrefix).toBe('staging-');
    for (const bad of ['"Staging-"', '"a b"', '"x\\n"', '"-x"', "'x\"'"]) {
      expect(problems(`compose: {container_prefix: ${bad}}\nweb: [web1]\n`)).toEqual([expect.stringMatching(/^c\.yaml:1:\d+ compose\.container_prefix: .* is not valid.*expected empty, or up to 32 lower-case letters/)]);
    }
  });

  it('accepts the default cluster.yaml: 2 web nodes with S1/S2, 2 DB nodes, sticky', () => {
    const { problems: found, cluster } = checkClusterText(DEFAULT_YAML);
    expect(found).toEqual([]);
    expect(cluster.web.map((n) => [n.name, n.host, n.port, n.cookie])).toEqual([
      ['web1', '127.0.1.1', 8000, 'S1'],
      ['web2', '127.0.1.2', 8000, 'S2'],
    ]);
    expect(cluster.db.map((n) => [n.name, n.host, n.port, n.id])).toEqual([
      ['mysql1', '127.0.2.1', 3306, 1],
      ['mysql2', '127.0.2.2', 3306, 2],
    ]);
    expect(cluster.sessionMode).toBe('sticky');
  });

  it('reports every problem at once, each with line, column and path', () => {
    const text = readFileSync(new URL('../fixtures/invalid/many-problems.yaml', import.meta.url), 'utf8');
    expect(problems(text)).toEqual(
      readFileSync(new URL('../fixtures/invalid/many-problems.expected', import.meta.url), 'utf8').trimEnd().split('\n'),
    );
  });

  it('gives the position of a YAML syntax error', () => {
    expect(problems('web:\n  - web1\n  bad: [\n')).toEqual([
      'c.yaml:3:1 (file): YAML syntax: All mapping items must start at the same column',
      'c.yaml:4:1 (file): YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(problems('web: [web1]\nweb: [web2]\n')[0]).toMatch(/^c\.yaml:2:1 .*YAML syntax: Map keys must be unique/);
  });

  it('suggests the key that was meant', () => {
    expect(problems('web: [web1]\nsesion_mode: db\n')).toEqual([
      expect.stringMatching(/^c\.yaml:2:1 sesion_mode: unknown key "sesion_mode" \(did you mean "session_mode"\?\)/),
    ]);
    expect(problems('web: [{name: web1, cokie: S1}]\n')[0]).toMatch(/web\[0\]\.cokie: unknown key "cokie" \(did you mean "cookie"\?\)/);
  });

  it('balancer.method: one word for both engines; a method the engine lacks is refused, naming the engine and what it has', () => {
    const text = (method: string) => `name: m\nbalancer: {method: ${method}}\nweb: [web1]\ndb: [mysql1]\n`;
    expect(checkClusterText(text('leastconn')).cluster.balancer).toEqual({ engine: 'haproxy', method: 'leastconn', trace: false });
    expect(checkClusterText('name: m\nweb: [web1]\ndb: [mysql1]\n').cluster.balancer.method).toBe('roundrobin');
    expect(problems(text('traffic'))).toEqual(['c.yaml:2:20 balancer.method: traffic is not a method of haproxy (haproxy has roundrobin, leastconn, source, random, first)']);
    expect(problems(text('fastest'))).toEqual([expect.stringMatching(/^c\.yaml:2:20 balancer\.method: "fastest" is not one of roundrobin, leastconn, traffic, source, random, first/)]);
  });

  it("apache engine: a cookie is the node's route, so letters and digits only", () => {
    const text = 'name: m\nbalancer: {engine: apache}\nweb:\n  - {name: web1, cookie: S_1}\n  - web2\ndb: [mysql1]\n';
    expect(problems(text)).toEqual([
      'c.yaml:4:26 web[0].cookie: "S_1" cannot be the apache engine\'s route for web1: letters and digits only',
    ]);
    expect(problems(text.replace('balancer: {engine: apache}', 'balancer: {engine: haproxy}'))).toEqual([]);
  });

  it('apache engine: weight 0 is refused (loadfactor is 1-100), pointing at state: drain; methods it lacks are refused naming it', () => {
    const text = 'name: m\nbalancer: {engine: apache}\nweb:\n  - {name: web1, weight: 0}\n  - web2\ndb: [mysql1]\n';
    expect(problems(text)).toEqual([
      "c.yaml:4:26 web[0].weight: 0 is not a weight of the apache engine: its loadfactor goes from 1 to 100; to send web1 no new visitors, use state: drain",
    ]);
    expect(problems(text.replace('weight: 0', 'weight: 100'))).toEqual([]);
    expect(problems(text.replace('weight: 0', 'weight: 256'))).toEqual(['c.yaml:4:26 web[0].weight: 256 is not a weight of the apache engine: its loadfactor goes from 1 to 100']);
    expect(problems(text.replace('{engine: apache}', '{engine: apache, method: source}').replace('weight: 0', 'weight: 1'))).toEqual([
      'c.yaml:2:36 balancer.method: source is not a method of apache (apache has roundrobin, leastconn, traffic)',
    ]);
  });

  it('balancer.trace is the apache engine\'s: refused on haproxy, naming it', () => {
    const text = (engine: string) => `name: m\nbalancer: {engine: ${engine}, trace: true}\nweb: [web1]\ndb: [mysql1]\n`;
    expect(checkClusterText(text('apache')).cluster.balancer.trace).toBe(true);
    expect(problems(text('apache'))).toEqual([]);
    expect(problems(text('haproxy'))).toEqual(['c.yaml:2:36 balancer.trace: trace is the apache engine\'s proxy trace log; haproxy has none (its log has a line per request already)']);
  });

  it("apache engine: the check interval that takes effect is a warning, not a problem", () => {
    const text = (interval: string) => `name: m\nbalancer: {engine: apache}\nhealth: {interval: ${interval}}\nweb: [web1]\ndb: [mysql1]\n`;
    const fast = checkClusterText(text('50ms'));
    expect(fast.problems).toEqual([]);
    expect(fast.warnings.map((w) => [w.line, w.message])).toEqual([
      [3, "50 ms: Apache's floor is 100 ms, so hactl asks for 100 ms, and Apache's checks run on a 100 ms tick, so each node is checked every 200 ms (a dead node is out after about 2 × that)"],
    ]);
    expect(checkClusterText(text('250ms')).warnings[0]!.message).toMatch(/^250 ms: Apache's checks run on a 100 ms tick, so each node is checked every 300 ms/);
    expect(checkClusterText(text('250ms').replace('engine: apache', 'engine: haproxy')).warnings).toEqual([]);
  });

  it('tls: present (even empty) turns HTTPS on with its defaults; hsts true is two years', () => {
    expect(checkClusterText('web: [web1]\n').cluster.tls).toBeUndefined();
    for (const text of ['tls:\nweb: [web1]\n', 'tls: {}\nweb: [web1]\n']) {
      const { cluster, problems: found } = checkClusterText(text);
      expect(found).toEqual([]);
      expect(cluster.tls).toEqual({ names: [], cert: undefined, key: undefined, redirect: false, hstsS: 0, dashboard: false });
      expect(cluster.ports.https).toBe(8443);
    }
    const { cluster } = checkClusterText('tls: {names: [shop.example, "*.shop.example", 10.0.0.5], redirect: true, hsts: true, dashboard: true}\nports: {https: 443}\nweb: [web1]\n');
    expect(cluster.tls).toMatchObject({ names: ['shop.example', '*.shop.example', '10.0.0.5'], redirect: true, hstsS: 63_072_000, dashboard: true });
    expect(cluster.ports.https).toBe(443);
  });

  it('tls: refuses a name no certificate holds, a cert without its key, an HTTPS port taken, naming field and line', () => {
    expect(problems('tls:\n  names: ["shop example", "*.*.x.org", "a\\nb"]\nweb: [web1]\n')).toEqual([
      expect.stringMatching(/^c\.yaml:2:\d+ tls\.names\[0\]: "shop example" is not valid \(it contains a space\): expected a hostname, an IP address, or \*\.domain/),
      expect.stringMatching(/^c\.yaml:2:\d+ tls\.names\[1\]: "\*\.\*\.x\.org" is not valid/),
      expect.stringMatching(/^c\.yaml:2:\d+ tls\.names\[2\]: "a\\nb" is not valid \(it contains a line break\)/),
    ]);
    expect(problems('tls:\n  cert: site.crt\nweb: [web1]\n')).toEqual([
      "c.yaml:2:9 tls.cert: tls.cert is given without tls.key: a certificate of yours needs both (or neither, for hactl's own)",
    ]);
    expect(problems('tls: {}\nports: {https: 18080, http: 18080}\nweb: [web1]\n')).toEqual([expect.stringMatching(/^c\.yaml:2:\d+ ports\.https: 127\.0\.0\.1:18080 is already used by ports\.http$/)]);
    // Without tls, ports.https binds nothing and clashes with nothing.
    expect(problems('ports: {https: 18080, http: 18080}\nweb: [web1]\n')).toEqual([]);
    expect(problems('tls: {hsts: 100000000, redirect: yes please}\nweb: [web1]\n')).toHaveLength(2);
  });

  it('reports a duplicate name across web and DB nodes', () => {
    expect(problems('web: [web1]\ndb: [mysql1, web1]\n')).toEqual(['c.yaml:2:14 db[1].name: name "web1" is already used by web[0]']);
  });

  it('reports a duplicate host:port, also against the entry points and a wildcard listen', () => {
    expect(problems('web:\n  - web1\n  - name: web2\n    port: 8081\n    host: 127.0.1.1\n  - name: web3\n    host: 127.0.1.1\n    port: 8081\n')).toEqual([
      'c.yaml:8:11 web[2].port: 127.0.1.1:8081 is already used by web2',
    ]);
    expect(problems('listen: 0.0.0.0\nweb: [web1]\n')).toEqual([]);
    expect(problems('listen: 0.0.0.0\nports: {http: 8000}\nweb: [web1]\n')).toEqual([
      'c.yaml:3:7 web[0].port: 127.0.1.1:8000 is already used by ports.http',
    ]);
    expect(problems('ports: {http: 9000}\nweb: [web1]\n')).toEqual([
      'c.yaml:1:8 ports.dashboard: 127.0.0.1:9000 is already used by ports.http',
    ]);
  });

  it('reports duplicate and malformed cookies', () => {
    expect(problems('web:\n  - {name: web1, cookie: A}\n  - {name: web2, cookie: A}\n  - {name: web3, cookie: "a;b"}\n')).toEqual([
      'c.yaml:3:26 web[1].cookie: cookie "A" is already used by web1',
      `c.yaml:4:26 web[2].cookie: "a;b" is not valid (it contains a shell or config metacharacter): expected 1 to 32 letters, digits, '_' or '-'`,
    ]);
  });

  it('reports ports outside 1-65535', () => {
    expect(problems('ports: {http: 0, db: 65536}\nweb: [{name: web1, port: -1}]\n')).toEqual([
      'c.yaml:1:15 ports.http: 0 is out of range: must be from 1 to 65535',
      'c.yaml:1:22 ports.db: 65536 is out of range: must be from 1 to 65535',
      'c.yaml:2:26 web[0].port: -1 is out of range: must be from 1 to 65535',
    ]);
  });

  it('reports hosts that are neither an IP address nor a hostname', () => {
    const found = problems('web:\n  - {name: web1, host: 300.1.1.1}\n  - {name: web2, host: "-bad-"}\n  - {name: web3, host: "::1"}\n  - {name: web4, host: app.example.internal}\n');
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^c\.yaml:2:24 web\[0\]\.host: "300\.1\.1\.1" is not valid: expected an IP address or a hostname$/);
    expect(found[1]).toMatch(/^c\.yaml:3:24 web\[1\]\.host: "-bad-"/);
  });

  it('reports two DB nodes given the same id', () => {
    expect(problems('web: [web1]\ndb:\n  - {name: a, id: 3}\n  - {name: b, id: 3}\n')).toEqual(['c.yaml:4:19 db[1].id: id 3 is already used by a']);
  });

  it('redis: three Sentinels by default with a replica to promote, none for one node; refuses fewer than three, Sentinels without Redis, redis sessions without nodes, a taken name or port', () => {
    const two = checkClusterText('session_mode: redis\nweb: [web1]\nredis: [redis1, redis2]\n');
    expect(two.problems).toEqual([]);
    expect(two.cluster.sentinel).toEqual([1, 2, 3].map((n) => ({ name: `sentinel${n}`, host: `127.0.5.${n}`, port: 26379 })));
    expect(two.cluster.redis.map((n) => `${n.name} ${n.host}:${n.port}`)).toEqual(['redis1 127.0.4.1:6379', 'redis2 127.0.4.2:6379']);
    expect(checkClusterText('session_mode: redis\nweb: [web1]\nredis: [redis1]\n').cluster.sentinel).toEqual([]);
    expect(problems('web: [web1]\nredis: [redis1, redis2]\nsentinel: [s1, s2]\n')).toEqual([
      expect.stringMatching(/^c\.yaml:3:11 sentinel: 2 Sentinels for 2 Redis nodes: promoting a replica takes a majority of at least 3 /),
    ]);
    expect(problems('web: [web1]\nsentinel: [s1, s2, s3]\n')).toEqual(['c.yaml:2:11 sentinel: Sentinels watch Redis nodes, and redis: lists none']);
    expect(problems('session_mode: redis\nweb: [web1]\n')).toEqual([expect.stringMatching(/^c\.yaml:1:15 session_mode: redis sessions need Redis nodes, and redis: lists none/)]);
    expect(problems('web: [web1]\nredis: [redis1, web1]\n')).toEqual(['c.yaml:2:17 redis[1].name: name "web1" is already used by web[0]']);
    expect(problems('web: [web1]\nports: {redis: 8080}\nredis: [redis1]\n')).toEqual([expect.stringMatching(/^c\.yaml:2:\d+ ports\.redis: 127\.0\.0\.1:8080 is already used by ports\.http$/)]);
    expect(problems('web: [web1]\nredis: [redis1, {name: redis2, host: 127.0.5.1, port: 26379}]\n')).toEqual([expect.stringMatching(/sentinel\[0\]\.port: 127\.0\.5\.1:26379 is already used by redis2|redis\[1\]\.port: 127\.0\.5\.1:26379 is already used by sentinel1/)]);
  });

  it('refuses db sessions without DB nodes', () => {
    expect(problems('session_mode: db\nweb: [web1]\n')).toEqual(['c.yaml:1:15 session_mode: db sessions need at least one DB node, and db: lists none']);
  });

  describe('characters that could inject into a config or a command line', () => {
    const cases: [string, string, string][] = [
      ['a line break in a name', 'web: ["web1\\nbind :80"]\n', 'a line break'],
      ['a space in a host', 'web: [{name: web1, host: "127.0.1.1 backup"}]\n', 'a space'],
      ['a quote in a cookie', `web: [{name: web1, cookie: 'S1"'}]\n`, 'a quote'],
      ['a # in the health path', 'health: {path: "/health#x"}\nweb: [web1]\n', "'#'"],
      ['a quote in the DB user', `database: {user: "app'--"}\nweb: [web1]\n`, 'a quote'],
      ['a newline in the cluster name', 'name: "demo\\nx"\nweb: [web1]\n', 'a line break'],
      ['a space in the listen address', 'listen: "127.0.0.1 0.0.0.0"\nweb: [web1]\n', 'a space'],
    ];
    it.each(cases)('refuses %s', (_what, text, named) => {
      const found = problems(text);
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(`it contains ${named}`);
    });
  });

  it('expands short forms: bare names get addresses, ports and cookies from their number', () => {
    const { cluster } = checkClusterText('web: [web1, web3, frontend]\ndb: [mysql2, {name: extra, id: 5}]\n');
    expect(cluster.web.map((n) => `${n.name}@${n.host}:${n.port}/${n.cookie}`)).toEqual([
      'web1@127.0.1.1:8000/S1',
      'web3@127.0.1.3:8000/S3',
      'frontend@127.0.1.2:8000/S2',
    ]);
    expect(cluster.db.map((n) => `${n.name}#${n.id}@${n.host}`)).toEqual(['mysql2#2@127.0.2.2', 'extra#5@127.0.2.5']);
  });

  it('keeps a node where it was when another is removed', () => {
    const before = checkClusterText('web: [web1, web2]\n').cluster.web[1];
    const after = checkClusterText('web: [web2]\n').cluster.web[0];
    expect(after).toEqual(before);
  });

  it('reads durations in ms, s and plain milliseconds', () => {
    expect(checkClusterText('health: {interval: 2s}\nweb: [web1]\n').cluster.health.intervalMs).toBe(2000);
    expect(checkClusterText('health: {interval: 500}\nweb: [web1]\n').cluster.health.intervalMs).toBe(500);
    expect(problems('health: {interval: 5}\nweb: [web1]\n')[0]).toMatch(/health\.interval: 5 is out of range/);
  });

  it('reads the DB tier settings: max_lag a duration (5 s by default), failback manual or auto, and says what is wrong with the line', () => {
    const c = checkClusterText('web: [web1]\ndb: [mysql1, mysql2]\n').cluster;
    expect(c.database).toMatchObject({ maxLagMs: 5000, failback: 'manual' });
    expect(c.ports).toMatchObject({ db_peers: 8406, db_agent: 9200 });
    expect(checkClusterText('database: {max_lag: 30s, failback: auto}\nweb: [web1]\n').cluster.database).toMatchObject({ maxLagMs: 30_000, failback: 'auto' });
    expect(problems('database:\n  max_lag: fast\nweb: [web1]\n')[0]).toMatch(/^c\.yaml:2:\d+ database\.max_lag: "fast" is not valid: expected a duration/);
    expect(problems('database: {failback: sometimes}\nweb: [web1]\n')[0]).toMatch(/database\.failback: .*sometimes.*manual, auto/);
  });

  it('refuses two DB nodes on one address: their health agents would share ports.db_agent', () => {
    const found = problems('web: [web1]\ndb:\n  - {name: mysql1, host: 127.0.2.1, port: 3306}\n  - {name: mysql2, host: 127.0.2.1, port: 3307}\n');
    expect(found.join('\n')).toMatch(/db\[1\]\.host: 127\.0\.2\.1:9200 is already used by mysql1's agent \(ports\.db_agent\)/);
  });
});
