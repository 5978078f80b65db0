/**
 * Test-only seam: the moments a crash is most harmful to delivery (intent persisted but not
 * sent; request sent but its result not recorded; a synced journal write half done). Nothing is installed in production; crash
 * recovery tests install a callback from a preload module and kill the process from it.
 */

/** Where the deliverer calls the installed callback. */
export type CrashPoint = 'after-persist' | 'after-send' | 'journal-mid-write';

/** Called at each crash point. */
export type CrashPointCallback = (point: CrashPoint) => void;

let installed: CrashPointCallback | undefined;

/** Installs (or, with undefined, removes) the callback deliverers created afterwards call at each crash point. */
export function installCrashPointCallback(callback: CrashPointCallback | undefined): void {
  installed = callback;
}

/** The callback installed through {@link installCrashPointCallback}, if any. */
export function installedCrashPointCallback(): CrashPointCallback | undefined {
  return installed;
}
