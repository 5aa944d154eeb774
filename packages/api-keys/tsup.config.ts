import { armorTsup } from '../../tsup.config.base';

export default armorTsup({
  'index': 'src/index.ts',
  'express': 'src/express.ts',
}, {
  // The private SHA-256 shared with the other package is bundled in, never a runtime dependency.
  noExternal: ['@armor/internal-sha256'],
});
