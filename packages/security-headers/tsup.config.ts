import { armorTsup } from '../../tsup.config.base';

export default armorTsup({
  'index': 'src/index.ts',
  'reports': 'src/reports.ts',
  'express': 'src/express.ts',
  'hono': 'src/hono.ts',
  'fastify': 'src/fastify.ts',
  'next': 'src/next.ts',
});
