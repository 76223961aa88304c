import { CookieJar, request } from './http.js';

/**
 * One session written every 50 ms (a counter): every answer, and the
 * longest time between two answers that were served.
 */
export function sessionWriter(site: string) {
  const jar = new CookieJar();
  const counters: number[] = [];
  const times: string[] = [];
  const failures: string[] = [];
  let longestGapMs = 0;
  let last = Date.now();
  let running = true;
  const done = (async () => {
    while (running) {
      const r = await request(`${site}/api/session/counter`, { jar, method: 'POST' }).catch((err: Error) => ({ status: 0, body: err.message, json: () => ({}) as { counter: number } }));
      const now = Date.now();
      if (r.status === 200) {
        counters.push(r.json<{ counter: number }>().counter);
        times.push(new Date(now).toISOString().slice(11, 23));
        longestGapMs = Math.max(longestGapMs, now - last);
        last = now;
      } else failures.push(`${r.status} ${r.body.slice(0, 200)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      // Lost: the counter went back (a write the next primary never had).
      const drops = counters.flatMap((c, i) => (i > 0 && c <= counters[i - 1]! ? [`${counters[i - 1]} then ${c} at ${times[i]}`] : []));
      return { counters, failures, longestGapMs, lost: drops.length, drops };
    },
  };
}
