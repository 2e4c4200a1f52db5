/**
 * Supervision: the public surface of app/supervisor/.
 *
 * Owns: `createLifecycle(rt)`, which wires a LifecycleManager for a Runtime with the starters of
 * the kinds this layer knows (process.host: nothing to do; process.service: supervised;
 * http.service: app/http, whose handlers run through the Runtime's function runner). Another
 * engine adds its kinds on the returned manager:
 *
 *   const { lifecycle } = createLifecycle(rt);
 *   lifecycle.register('temporal.worker', { start: (w) => ..., stop: (w, timeoutMs) => ... });
 *   await lifecycle.start();   // auto_start entries, dependencies first
 *   await lifecycle.stop();    // reverse order
 *
 * Invariants: log lines go through the Runtime's output (`[level] message` on a terminal); time
 * comes from the Runtime's clock (so --virtual-time applies to restart delays and stop timeouts
 * too) unless a test passes its own; jitter from Math.random unless a
 * test passes its own.
 */
import { consoleOutput, type Runtime } from '../runtime';
import type { Clock } from '../../base/clock';
import { LifecycleManager, noopStarter, type LogFn } from './lifecycle';
import { ServiceStarter } from './service-starter';
import { HttpServiceStarter } from '../http/server';

export { LifecycleManager, noopStarter, type Starter, type StartReport, type LogFn, type DownReason } from './lifecycle';
export { ServiceSupervisor, type ServiceState, type ServiceStatus, type SupervisorDeps, type ProcessControl } from './service';
export { ServiceStarter } from './service-starter';
export { restartDelay, judgeFailure, isTerminalError, type FailureVerdict } from './backoff';

export interface SupervisionOptions {
  /** Default: the Runtime's clock (options.clock), else the real one. */
  clock?: Clock;
  /** Uniform in [0, 1), for jitter. Default Math.random. */
  random?: () => number;
  /** Default: the Runtime's output log. */
  log?: LogFn;
}

export interface Supervision {
  lifecycle: LifecycleManager;
  services: ServiceStarter;
}

export function createLifecycle(rt: Runtime, opts: SupervisionOptions = {}): Supervision {
  const output = rt.options.output ?? consoleOutput;
  const log: LogFn = opts.log ?? ((level, message) => output.log(level, message));
  const services = new ServiceStarter({
    node: rt.node,
    clock: opts.clock ?? rt.clock,
    random: opts.random ?? Math.random,
    log,
  });
  // Workers and clients: the embedded engine serves every worker of the store; starting a worker
  // starts the engine (resuming unfinished workflows), stopping the last one commits and closes it.
  const engineStarter = {
    start: async () => { rt.startWorkflows(); },
    stop: async () => {},
  };
  const http = new HttpServiceStarter({
    registry: rt.registry,
    call: (req, done) => rt.functions.call(req, done, 0),
    durable: () => rt.durable(),
    log,
  });
  const lifecycle = new LifecycleManager(rt.registry, log)
    .register('http.service', http)
    .register('process.host', noopStarter)
    .register('process.service', services)
    .register('temporal.client', { ...engineStarter, listed: false })
    .register('temporal.worker', engineStarter);
  return { lifecycle, services };
}

