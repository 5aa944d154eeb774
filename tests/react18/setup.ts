import { version } from 'react';
import { version as domVersion } from 'react-dom';

// Fail loudly if the aliases stop working and the tests quietly run on React 19 again.
if (!version.startsWith('18.') || !domVersion.startsWith('18.')) {
  throw new Error(`react18 project: expected React 18, got react ${version} / react-dom ${domVersion}`);
}
