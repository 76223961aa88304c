import type { Command } from 'commander';
import { contextOf, examples } from '../context.js';

export function register(program: Command): void {
  program
    .command('config')
    .description('show the resolved cluster model, defaults filled in; secrets redacted')
    .option('--show-secrets', 'print the generated passwords too')
    .addHelpText('after', examples('hactl config', 'hactl config --json | jq .cluster.web', 'hactl config --show-secrets'))
    .action(async (opts: { showSecrets?: boolean }, command: Command) => {
      const { project, out } = await contextOf(command);
      const { describeProject } = await import('../../ops/describe.js');
      const description = describeProject(project, opts.showSecrets === true);
      // Through JSON first, so that each Secret turns into "[redacted]".
      const plain = JSON.parse(JSON.stringify(description)) as object;
      if (out.json) out.printJson(plain);
      else {
        // Loaded here: yaml is the largest import on the way to `hactl --help`.
        const { stringify } = await import('yaml');
        out.print(stringify(plain).trimEnd());
      }
    });
}
