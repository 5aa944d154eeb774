// Types of scripts/pack-packages.mjs (used by the consumer suite in tests/consumer).
export interface PublicPackage {
  dir: string;
  folder: string;
  name: string;
  version: string;
  pkg: { exports?: Record<string, unknown>; [key: string]: unknown };
}
export interface PackedPackage extends PublicPackage {
  tarball: string;
}
export interface EntryPoint {
  key: string;
  subpath: string;
  spec: string;
}
export const repoRoot: string;
export function publicPackages(only?: string[]): PublicPackage[];
export function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]>;
export function packPackage(p: PublicPackage, dest: string): Promise<string>;
export function packAll(dest: string, only?: string[]): Promise<PackedPackage[]>;
export function extract(tarball: string, dir: string): Promise<string>;
export function entryPoints(name: string, exportsMap: Record<string, unknown>): EntryPoint[];
export function installTarballs(project: string, packed: PackedPackage[], extras?: Record<string, string>): Promise<void>;
