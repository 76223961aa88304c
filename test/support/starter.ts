import { readFileSync } from 'node:fs';

/** The starter cluster.yaml as shipped (templates/cluster.yaml): what `hactl init` writes, modeline aside. */
export const STARTER_YAML = readFileSync(new URL('../../templates/cluster.yaml', import.meta.url), 'utf8');
