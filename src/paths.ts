import { fileURLToPath } from 'node:url';

/** The folder hactl is installed in (holds templates/, schema/, compose/), from src/ or dist/ alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url)).replace(/\/$/, '');

/** The project's state folder, next to its cluster.yaml: secrets, rendered files, data, logs. */
export const STATE_DIR_NAME = '.hactl';
