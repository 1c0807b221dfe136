/**
 * Ctrl-C handling of the long-running start scripts (`npm start`, `npm run start:cluster`): the first
 * SIGINT, SIGTERM or SIGHUP asks for an orderly stop, a later one exits at once. One Ctrl-C can
 * arrive more than once (from the terminal, and relayed by npm and tsx): a repeat within 1.5 s of the
 * first is the same press, not a second one.
 */

/** Installs the handlers; `stopped` resolves on the first signal, `requested()` says whether one came. */
export function onShutdownSignal(forcedExitNote = ''): { stopped: Promise<void>; requested: () => boolean } {
  let signal: NodeJS.Signals | undefined;
  let signalledAt = 0;
  let requestStop = () => {};
  const stopped = new Promise<void>((resolve) => (requestStop = resolve));
  const onSignal = (received: NodeJS.Signals) => {
    if (signal && Date.now() - signalledAt < 1_500) return;
    if (signal) {
      console.error(`\n${received} again: exiting without waiting${forcedExitNote}`);
      process.exit(1);
    }
    signal = received;
    signalledAt = Date.now();
    console.log(`\n${received}: shutting down (press Ctrl-C again to force)…`);
    requestStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal must not orphan the servers, which run in their own process groups.
  process.on('SIGHUP', onSignal);
  return { stopped, requested: () => signal !== undefined };
}
