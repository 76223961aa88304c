import type { Command } from 'commander';
import { contextOf, examples } from '../context.js';

export function register(program: Command): void {
  program
    .command('config')
    .description('print cluster.yaml resolved, every default filled in: itself a valid cluster.yaml (state folder and secrets, redacted, as comments)')
    .option('--show-secrets', 'print the generated passwords too')
    .addHelpText('after', examples('hactl config', 'hactl config --json | jq .cluster.web', 'hactl config --show-secrets'))
    .action(async (opts: { showSecrets?: boolean }, command: Command) => {
      const { project, out } = await contextOf(command);
      const { describeProject } = await import('../../ops/describe.js');
      const description = describeProject(project, opts.showSecrets === true);
      // Through JSON first, so that each Secret turns into "[redacted]".
      const plain = JSON.parse(JSON.stringify(description)) as typeof description;
      if (out.json) return out.printJson(plain);
      // Loaded here: yaml is the largest import on the way to `hactl --help`.
      const { stringify } = await import('yaml');
      // A valid cluster.yaml (`hactl config > full.yaml` works as a file): what is not a key of it goes
      // in comments, which a line break in a file name must not end.
      const comment = (text: string) => text.replace(/[\0-\x1f\x7f]/g, '?');
      const header = [
        `# ${comment(description.file)} resolved: every default written out`,
        `# state folder: ${comment(description.state_dir)}`,
        `# secrets (in the state folder's secrets.json, never in cluster.yaml)${opts.showSecrets ? '' : '; --show-secrets prints them'}:`,
        ...Object.entries(plain.secrets).map(([k, v]) => `#   ${k}: ${String(v)}`),
      ];
      out.print(`${header.join('\n')}\n${stringify(plain.cluster).trimEnd()}`);
    });
}
