import { armorTsup } from '../../tsup.config.base';

export default armorTsup({
  'index': 'src/index.ts',
  'express': 'src/express.ts',
  'node': 'src/node.ts',
  'schema': 'src/schema.ts',
  'slo': 'src/slo.ts',
  'web-vitals': 'src/web-vitals.ts',
  'web-vitals-client': 'src/web-vitals-client.ts',
  'web-vitals-express': 'src/web-vitals-express.ts',
  'hono': 'src/hono.ts',
  'fastify': 'src/fastify.ts',
  'next': 'src/next.ts',
  'http': 'src/http-entry.ts',
  'bridges': 'src/bridges-entry.ts',
});
