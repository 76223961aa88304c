import type { Driver } from '../drivers/driver.js';
import { HactlError } from '../errors.js';
import { runtimeApiError, WEB_BACKEND } from '../haproxy/server-admin.js';
import { parseServersState } from '../haproxy/servers-state.js';
import { parseShowStat } from '../haproxy/stat.js';
import { runtimeCommand, type ServerAction } from '../plan/action.js';
import { checkPassed, checkText, serverStatus } from '../status/summarize.js';
import { notRunning, type LbWebClient, type WebMember } from './client.js';

const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));

/** lb-web on HAProxy: `show stat` and `show servers state` on its admin socket, through the runtime. */
export function haproxyLbWeb(driver: Driver): LbWebClient {
  return {
    engine: 'haproxy',
    async members(): Promise<WebMember[] | undefined> {
      let stat: string, state: string;
      try {
        [stat, state] = await Promise.all([driver.balancerCommand('lb-web', 'show stat'), driver.balancerCommand('lb-web', `show servers state ${WEB_BACKEND}`)]);
      } catch (err) {
        if (notRunning(err)) return undefined;
        throw err;
      }
      const admin = new Map(parseServersState(state).map((s) => [s.name, s]));
      return parseShowStat(stat)
        .filter((r) => r.type === '2' && r.pxname === WEB_BACKEND && admin.has(r.svname!))
        .map((r) => ({
          name: r.svname!,
          status: serverStatus(r),
          flags: null,
          check: checkText(r),
          checked: checkPassed(r),
          sinceChangeS: num(r.lastchg),
          sessions: num(r.scur),
          queued: num(r.qcur),
          total: num(r.stot),
          activity: num(r.stot),
          weight: num(r.weight),
          admin: admin.get(r.svname!)!,
        }));
    },
    async apply(actions: readonly ServerAction[]): Promise<void> {
      for (const action of actions) {
        const command = runtimeCommand(action);
        const error = runtimeApiError(await driver.balancerCommand('lb-web', command));
        if (error) throw new HactlError(`lb-web refused "${command}": ${error}`);
      }
    },
  };
}
