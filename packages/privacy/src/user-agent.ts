/**
 * User-agent reduction to browser family, major version and OS family.
 *
 * @module
 */

/** The coarse facts kept from a user agent. */
export interface UserAgentFamily {
  /** e.g. `Chrome`, `Firefox`, `Safari`, `Edge`, `Opera`, `Samsung Internet`, `Bot`, `curl`, `Other`. */
  browser: string;
  /** Major version, e.g. `'120'`; `undefined` when unknown. */
  major: string | undefined;
  /** `Windows`, `macOS`, `iOS`, `Android`, `ChromeOS`, `Linux` or `Other`. */
  os: string;
  /** Whether it looks like a crawler/bot. */
  bot: boolean;
}

const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/\b(?:Chrome|CriOS|Chromium)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)(?:\.[\d.]*)? (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  [/\bcurl\/(\d+)/, 'curl'],
  [/\bPostmanRuntime\/(\d+)/, 'Postman'],
  [/\b(?:node-fetch|undici)\/?(\d+)?/, 'Node.js'],
];
const BOT = /bot\b|crawler|spider|slurp|facebookexternalhit|headless/i;

/**
 * Parses a user agent into coarse facts. Never throws; unknown input gives `Other`.
 *
 * @example
 * ```ts
 * parseUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) … Chrome/120.0.6099.71 Safari/537.36');
 * // { browser: 'Chrome', major: '120', os: 'Windows', bot: false }
 * ```
 */
export function parseUserAgent(ua: unknown): UserAgentFamily {
  const text = typeof ua === 'string' ? ua.slice(0, 512) : '';
  const bot = BOT.test(text);
  let browser = bot ? 'Bot' : 'Other';
  let major: string | undefined;
  if (!bot) {
    for (const [pattern, name] of BROWSERS) {
      const match = pattern.exec(text);
      if (match) {
        browser = name;
        major = match[1];
        break;
      }
    }
  }
  let os = 'Other';
  if (/\b(?:iPhone|iPad|iPod)\b/.test(text)) os = 'iOS';
  else if (/\bAndroid\b/.test(text)) os = 'Android';
  else if (/\bCrOS\b/.test(text)) os = 'ChromeOS';
  else if (/\bWindows\b/.test(text)) os = 'Windows';
  else if (/\b(?:Macintosh|Mac OS X)\b/.test(text)) os = 'macOS';
  else if (/\bLinux\b/.test(text)) os = 'Linux';
  return { browser, major, os, bot };
}

/**
 * Reduces a user agent to `"<browser> <major> (<os>)"`, dropping build numbers, device
 * models and everything else that helps fingerprinting.
 *
 * @example
 * ```ts
 * anonymizeUserAgent(req.get('user-agent')); // 'Firefox 121 (Linux)'
 * ```
 */
export function anonymizeUserAgent(ua: unknown): string {
  const { browser, major, os } = parseUserAgent(ua);
  return `${browser}${major ? ` ${major}` : ''} (${os})`;
}
