// A real Bluesky PDS (and its own PLC directory) from @atproto/dev-env, on loopback only.
//
//   node tests/pds/pds.js INSTALL_DIR '{"accounts": ["nrf.test", "massoud.test"]}'
//
// INSTALL_DIR holds node_modules/@atproto/dev-env (scripts/test installs it from
// tests/pds/package.json, outside the checkout). The script creates each account with a
// password and an app password, prints one JSON line on stdout:
//   {"url": "http://127.0.0.1:PORT", "plc": "...", "pid": N, "seconds": S,
//    "accounts": [{"handle", "did", "password", "appPassword"}]}
// and serves until stdin closes or SIGTERM/SIGINT arrives. Its data (SQLite, blobs) goes to
// os.tmpdir(): the caller points TMPDIR at a throwaway folder.
//
// Nothing leaves the machine: every server binds 127.0.0.1, DNS queries go to a loopback
// address that does not answer, and any connection or name lookup beyond loopback is refused
// and reported on stderr as "network-guard: ..." (the Python test fails on such a line).
'use strict'

const dns = require('node:dns')
const net = require('node:net')
const path = require('node:path')
const { createRequire } = require('node:module')

const LOOPBACK_IP = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/
const guardLog = (what) => process.stderr.write(`network-guard: refused ${what}\n`)

function loopbackHost(host) {
  return host === undefined || host === null || host === '' || host === 'localhost' ||
    LOOPBACK_IP.test(String(host))
}

// --- the guard, installed before any library is loaded -------------------------------------
dns.setDefaultResultOrder('ipv4first')
dns.setServers(['127.0.0.1:9'])
dns.promises.setServers(['127.0.0.1:9'])

const origLookup = dns.lookup
dns.lookup = function lookup(hostname, options, callback) {
  if (!loopbackHost(hostname)) {
    guardLog(`lookup ${hostname}`)
    const cb = typeof options === 'function' ? options : callback
    const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (network guard)`),
      { code: 'ENOTFOUND', hostname })
    process.nextTick(() => cb(err))
    return {}
  }
  return origLookup.call(this, hostname, options, callback)
}
const origPromiseLookup = dns.promises.lookup
dns.promises.lookup = async function lookup(hostname, options) {
  if (!loopbackHost(hostname)) {
    guardLog(`lookup ${hostname}`)
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (network guard)`),
      { code: 'ENOTFOUND', hostname })
  }
  return origPromiseLookup.call(this, hostname, options)
}

const origConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function connect(...args) {
  let opts = args[0]
  if (Array.isArray(opts)) opts = opts[0] // net.connect() passes its normalized arguments
  let host
  if (opts !== null && typeof opts === 'object') {
    host = opts.path ? 'localhost' : opts.host
  } else if (typeof opts === 'number' || /^\d+$/.test(String(opts))) {
    host = typeof args[1] === 'string' ? args[1] : undefined
  } else {
    host = 'localhost' // a unix socket path
  }
  if (!loopbackHost(host)) {
    guardLog(`connect ${host}`)
    const err = Object.assign(new Error(`connect ECONNREFUSED ${host} (network guard)`),
      { code: 'ECONNREFUSED' })
    process.nextTick(() => this.destroy(err))
    return this
  }
  return origConnect.apply(this, args)
}

const origListen = net.Server.prototype.listen
net.Server.prototype.listen = function listen(...args) {
  if (args[0] !== null && typeof args[0] === 'object' && !Array.isArray(args[0])) {
    if (!args[0].path && !loopbackHost(args[0].host)) args[0] = { ...args[0], host: '127.0.0.1' }
    else if (!args[0].path && !args[0].host) args[0] = { ...args[0], host: '127.0.0.1' }
  } else if (typeof args[0] === 'number' || /^\d+$/.test(String(args[0]))) {
    const port = Number(args[0])
    const rest = args.slice(1)
    if (typeof rest[0] === 'string') rest.shift() // a host: replaced by loopback
    args = [port, '127.0.0.1', ...rest]
  }
  return origListen.apply(this, args)
}

// --- the network ----------------------------------------------------------------------------
async function main() {
  const started = process.hrtime.bigint()
  const dir = process.argv[2]
  const spec = JSON.parse(process.argv[3] || '{}')
  if (!dir) throw new Error('usage: node pds.js INSTALL_DIR [SPEC_JSON]')
  const load = createRequire(path.join(path.resolve(dir), 'package.json'))
  const { TestNetworkNoAppView, TestNetwork } = load('@atproto/dev-env')

  // With spec.appview ({postgres, schema}; REDIS_HOST in the environment): an AppView (and the
  // Ozone dev-env starts with it) indexing the PDS, so app.bsky.* reads such as getPosts answer.
  const network = spec.appview
    ? await TestNetwork.create({ pds: { hostname: 'localhost' }, plc: {},
      dbPostgresUrl: spec.appview.postgres, dbPostgresSchema: spec.appview.schema })
    : await TestNetworkNoAppView.create({ pds: { hostname: 'localhost' }, plc: {} })
  const accounts = []
  for (const handle of spec.accounts || ['nrf.test']) {
    const agent = network.pds.getClient()
    const password = `pw-${handle}-${Math.random().toString(36).slice(2)}`
    const email = `${handle.replace(/[^a-z0-9]/gi, '-')}@example.test`
    await agent.createAccount({ handle, email, password })
    const app = await agent.com.atproto.server.createAppPassword({ name: 'campaign' })
    accounts.push({ handle, did: agent.session.did, password, appPassword: app.data.password })
  }

  let closing = false
  const shutdown = async (code) => {
    if (closing) return
    closing = true
    try {
      await network.close()
    } catch (err) {
      process.stderr.write(`closing the network: ${err}\n`)
    }
    process.exit(code)
  }
  process.on('SIGTERM', () => shutdown(0))
  process.on('SIGINT', () => shutdown(0))
  process.stdin.on('end', () => shutdown(0))
  process.stdin.on('error', () => shutdown(0))
  process.stdin.resume()

  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  process.stdout.write(JSON.stringify({
    url: `http://127.0.0.1:${network.pds.port}`,
    plc: network.plc.url,
    pid: process.pid,
    seconds: Math.round(seconds * 1000) / 1000,
    versions: {
      node: process.version,
      pds: load('@atproto/pds/package.json').version,
      devEnv: load('@atproto/dev-env/package.json').version,
    },
    accounts,
    appview: network.bsky ? network.bsky.url : null,
  }) + '\n')
}

main().catch((err) => {
  process.stderr.write(`the PDS did not start: ${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
