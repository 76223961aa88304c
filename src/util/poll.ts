export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Ask CHECK every INTERVAL ms until it gives an answer (anything but
 * undefined or false), or DEADLINE (epoch ms) has passed: then undefined.
 * CHECK is always asked at least once, and a throw from it ends the wait.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined | false> | T | undefined | false, deadline: number, intervalMs: number): Promise<T | undefined> {
  for (;;) {
    const answer = await check();
    if (answer !== undefined && answer !== false) return answer;
    if (Date.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}
