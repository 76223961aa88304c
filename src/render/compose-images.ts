import type { Cluster } from '../spec/model.js';

/** The images the compose runtime builds, each from its folder of compose/. */
export const IMAGES = {
  haproxy: { tag: 'hactl/haproxy', context: 'haproxy' },
  apache: { tag: 'hactl/apache', context: 'apache' },
  web: { tag: 'hactl/web', context: 'web' },
  mariadb: { tag: 'hactl/mariadb', context: 'db' },
  store: { tag: 'hactl/store', context: 'store' },
} as const;

export type Image = (typeof IMAGES)[keyof typeof IMAGES];

/** The image a process of CLUSTER runs from: lb-web's follows its engine. */
export function imageOf(cluster: Cluster, process: { name: string; kind: 'web' | 'db' | 'store' | 'lb' }): Image {
  if (process.kind === 'web') return IMAGES.web;
  if (process.kind === 'store') return IMAGES.store;
  if (process.kind === 'db') return IMAGES.mariadb;
  return process.name === 'lb-web' && cluster.balancer.engine === 'apache' ? IMAGES.apache : IMAGES.haproxy;
}
