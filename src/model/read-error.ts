/**
 * Why a file could not be read, in words a config error can show: the common errno codes spelled
 * out, anything else as the error's own message.
 */
export function describeReadError(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return err instanceof Error ? err.message : String(err);
}
