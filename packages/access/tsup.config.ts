import { armorTsup } from '../../tsup.config.base';

export default armorTsup({
  'index': 'src/index.ts',
  'express': 'src/express.ts',
  'convex': 'src/convex.ts',
});
