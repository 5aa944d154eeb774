import { defineSchema } from 'convex/server';
import { auditTables } from '../../src/convex.js';

export default defineSchema({ ...auditTables });
