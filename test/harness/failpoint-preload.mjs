/**
 * Preload for crash-recovery tests (`node --import`): kills the agent with SIGKILL at the delivery
 * crash point named by ZK_EXPORTER_FAILPOINT (`after-persist` or `after-send`). The agent itself
 * knows nothing of this variable; the callback goes in through the deliverer's crash-point seam.
 */
const point = process.env.ZK_EXPORTER_FAILPOINT;
if (point) {
  // The built module is plain JS to the linter; the one function used is spelled out here.
  /** @type {{ installCrashPointCallback: (callback: (reached: string) => void) => void }} */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
  const seam = await import(new URL('../../dist/hooks/deliver/crash-points.js', import.meta.url).href);
  seam.installCrashPointCallback((reached) => {
    if (reached === point) process.kill(process.pid, 'SIGKILL');
  });
}
