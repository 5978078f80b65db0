/**
 * Preload for crash-recovery tests (`node --import`): kills the agent with SIGKILL at the delivery
 * crash point named by ZK_EXPORTER_FAILPOINT (`after-persist` or `after-send`). The agent itself
 * knows nothing of this variable; the callback goes in through the deliverer's crash-point seam.
 */
const point = process.env.ZK_EXPORTER_FAILPOINT;
if (point) {
  const { installCrashPointCallback } = await import(new URL('../../dist/hooks/deliver/crash-points.js', import.meta.url).href);
  installCrashPointCallback((reached) => {
    if (reached === point) process.kill(process.pid, 'SIGKILL');
  });
}
