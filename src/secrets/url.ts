/**
 * The password of a connection URL, as the URL parser keeps it (`written`: a bare `%` stays,
 * a space became `%20`) and as the server receives it (`decoded`).
 */
export function urlPassword(text: string): { written: string; decoded: string } | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*:[^/\s]*@/i.test(text)) return undefined;
  try {
    const written = new URL(text).password;
    return written ? { written, decoded: decodePercent(written) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decodes the valid `%XX` runs and keeps a `%` that starts none as it is: a password typed
 * with a bare `%` means that character (decodeURIComponent would throw on it).
 */
export function decodePercent(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
