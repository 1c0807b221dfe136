/**
 * Sizes of the built console from Vite's manifest: the JavaScript a first visit downloads (entry
 * chunk plus its static imports, transitively) against what loads lazily, gzipped as a server
 * would send it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export interface ConsoleBundleSizes {
  initialFiles: string[];
  initialRawBytes: number;
  initialGzipBytes: number;
  lazyFiles: string[];
  lazyGzipBytes: number;
  cssGzipBytes: number;
}

/** Measures the build in `dist` (web/dist by default). */
export function consoleBundleSizes(dist: string): ConsoleBundleSizes {
  const manifest = JSON.parse(readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const initial = new Set<string>();
  const visit = (key: string) => {
    if (initial.has(key)) return;
    initial.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const bytesOf = (file: string) => readFileSync(path.join(dist, file));
  const gzipped = (file: string) => gzipSync(bytesOf(file)).length;
  const jsOf = (keys: Iterable<string>) => [...new Set([...keys].map((key) => manifest[key].file).filter((file) => file.endsWith('.js')))];
  const initialFiles = jsOf(initial);
  const lazyFiles = jsOf(Object.keys(manifest).filter((key) => !initial.has(key)));
  const cssFiles = [...new Set(Object.values(manifest).flatMap((chunk) => chunk.css ?? []))];
  return {
    initialFiles,
    initialRawBytes: initialFiles.reduce((sum, file) => sum + bytesOf(file).length, 0),
    initialGzipBytes: initialFiles.reduce((sum, file) => sum + gzipped(file), 0),
    lazyFiles,
    lazyGzipBytes: lazyFiles.reduce((sum, file) => sum + gzipped(file), 0),
    cssGzipBytes: cssFiles.reduce((sum, file) => sum + gzipped(file), 0),
  };
}
