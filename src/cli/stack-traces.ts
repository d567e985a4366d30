import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const BUNDLE = '/dist/bundle/';

/**
 * Stack traces of the bundle name src/ files and lines, like `--enable-source-maps`, but a
 * map is read only when a stack is formatted: enabling Node's own support reads and parses
 * the map of every chunk as it loads (~10% of a `validate`), for traces hardly ever shown.
 */
export function mapStackTracesWhenShown(): void {
  if (process.sourceMapsEnabled) return;
  const maps = new Map<string, { map: SourceMap; url: string } | null>();
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      try {
        const mapUrl = `${url}.map`;
        maps.set(url, { map: new SourceMap(JSON.parse(readFileSync(fileURLToPath(mapUrl), 'utf8'))), url: mapUrl });
      } catch {
        maps.set(url, null);
      }
    }
    return maps.get(url);
  };
  const frame = (site: NodeJS.CallSite): string => {
    const url = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (url?.includes(BUNDLE) && line && column) {
      const found = mapOf(url);
      const entry = found?.map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
      if (found && entry?.originalSource !== undefined && entry.originalLine !== undefined && entry.originalColumn !== undefined) {
        const source = fileURLToPath(new URL(entry.originalSource, found.url));
        const where = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
        const name = site.getFunctionName();
        return `${site.isAsync() ? 'async ' : ''}${name ? `${name} (${where})` : where}`;
      }
    }
    return String(site);
  };
  Error.prepareStackTrace = (error, sites) => {
    let header: string;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = 'Error';
    }
    return [header, ...sites.map((site) => `    at ${frame(site)}`)].join('\n');
  };
}
