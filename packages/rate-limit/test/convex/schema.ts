import { defineSchema } from 'convex/server';
import { rateLimitTables } from '../../src/convex.js';

export default defineSchema({ ...rateLimitTables });
