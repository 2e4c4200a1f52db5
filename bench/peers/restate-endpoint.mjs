// Owns the Restate SDK endpoint, run as a child of run.mjs (forked with an IPC channel): the
// benchmark workflow `BenchWf` and service `BenchSvc`, each `run(steps)` applying the trivial
// step x => x + 1 to a running sum through `ctx.run` `steps` times. Serves HTTP/2 (h2c) on a
// free loopback port and sends { port } to the parent. Exits when the parent goes away.

// @restatedev/restate-sdk 1.14-1.17 call Promise.withResolvers, which Node 20 lacks (invocations
// then fail and retry forever). Standard polyfill, loaded before the SDK (hence the dynamic import).
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

const http2 = await import('node:http2');
const restate = await import('@restatedev/restate-sdk');

const inc = (x) => x + 1;

async function steps(ctx, n) {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const prev = sum;
    sum = await ctx.run('inc', () => inc(prev));
  }
  return sum;
}

const benchWorkflow = restate.workflow({
  name: 'BenchWf',
  handlers: { run: async (ctx, n) => steps(ctx, n) },
});

const benchService = restate.service({
  name: 'BenchSvc',
  handlers: { run: async (ctx, n) => steps(ctx, n) },
});

const endpoint = restate.endpoint().bind(benchWorkflow).bind(benchService);
const server = http2.createServer(endpoint.http2Handler());

function shutdown() {
  server.close();
  // Open HTTP/2 sessions from restate-server may keep close() waiting; do not linger.
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send({ port: server.address().port });
});
