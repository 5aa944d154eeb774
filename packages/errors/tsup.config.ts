import { armorTsup } from '../../tsup.config.base';

export default armorTsup({
  'index': 'src/index.ts',
  'express': 'src/express.ts',
  'convex': 'src/convex.ts',
  'client': 'src/client.ts',
  'react': 'src/react.ts',
});
