import { armorTsup } from '../../tsup.config.base';

export default armorTsup({
  'index': 'src/index.ts',
  'postgres': 'src/postgres.ts',
  'node': 'src/node.ts',
  'cli': 'src/cli.ts',
  'convex': 'src/convex.ts',
});
