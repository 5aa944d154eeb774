/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";
import type * as comments from "../comments.js";
import type * as crons from "../crons.js";
import type * as healthcheck from "../healthcheck.js";
import type * as http from "../http.js";
import type * as lib_access from "../lib/access.js";
import type * as lib_adminKey from "../lib/adminKey.js";
import type * as lib_armor from "../lib/armor.js";
import type * as lib_health from "../lib/health.js";
import type * as lib_limiters from "../lib/limiters.js";
import type * as lib_rateLimit from "../lib/rateLimit.js";
import type * as lib_retention from "../lib/retention.js";
import type * as lib_snapshot from "../lib/snapshot.js";
import type * as lib_telemetry from "../lib/telemetry.js";
import type * as lib_webVitals from "../lib/webVitals.js";
import type * as maintenance from "../maintenance.js";
import type * as monitoring from "../monitoring.js";
import type * as projects from "../projects.js";
import type * as rateLimit from "../rateLimit.js";
import type * as reports from "../reports.js";
import type * as users from "../users.js";
import type * as webVitals from "../webVitals.js";

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
declare const fullApi: ApiFromModules<{
  comments: typeof comments;
  crons: typeof crons;
  healthcheck: typeof healthcheck;
  http: typeof http;
  "lib/access": typeof lib_access;
  "lib/adminKey": typeof lib_adminKey;
  "lib/armor": typeof lib_armor;
  "lib/health": typeof lib_health;
  "lib/limiters": typeof lib_limiters;
  "lib/rateLimit": typeof lib_rateLimit;
  "lib/retention": typeof lib_retention;
  "lib/snapshot": typeof lib_snapshot;
  "lib/telemetry": typeof lib_telemetry;
  "lib/webVitals": typeof lib_webVitals;
  maintenance: typeof maintenance;
  monitoring: typeof monitoring;
  projects: typeof projects;
  rateLimit: typeof rateLimit;
  reports: typeof reports;
  users: typeof users;
  webVitals: typeof webVitals;
}>;
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;
