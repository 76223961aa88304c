#!/usr/bin/env node
// npm run bench:validate — validation must grow linearly with the number of
// nodes (issue 11: 2k nodes took 0.9 s, 32k 12.4 s). Checks cluster files of
// 2k, 8k and 32k web nodes, all valid, all with a bad name, all clashing on
// one address, in the same run, and prints the time per node at each size.
// Exits 1 when 16 times the nodes take more than 32 times as long (linear
// with room for the machine's noise, far below the 256 of quadratic growth).
import { checkClusterText } from '../dist/spec/check.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = [2000, 8000, 32000];
const KINDS = {
  valid: (i) => `  - {name: w${i + 1}, host: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}}\n`,
  'bad names': (i) => `  - W${i}\n`,
  'one address': (i) => `  - {name: w${i + 1}, host: 10.0.0.1}\n`,
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

let failed = false;
console.log('kind         ' + SIZES.map((n) => `${String(n).padStart(6)} nodes`).join('   ') + '   ratio 32k/2k');
for (const [kind, item] of Object.entries(KINDS)) {
  const ms = SIZES.map((n) => {
    const text = `web:\n${Array.from({ length: n }, (_, i) => item(i)).join('')}`;
    return median(
      Array.from({ length: RUNS }, () => {
        const t = performance.now();
        checkClusterText(text);
        return performance.now() - t;
      }),
    );
  });
  const ratio = ms.at(-1) / ms[0];
  const ok = ratio <= 32;
  failed ||= !ok;
  console.log(`${kind.padEnd(13)}${ms.map((m) => `${m.toFixed(0).padStart(8)} ms  `).join('   ')}   ${ratio.toFixed(1).padStart(6)}  ${ok ? 'PASS' : 'FAIL (target ≤ 32: linear)'}`);
}
process.exitCode = failed ? 1 : 0;
