import WS from 'ws'
const ws = new WS('ws://127.0.0.1:19229/ws')
let id = 0
const pending = new Map()
const send = (method, params = {}) => new Promise((resolve, reject) => { const i = ++id; pending.set(i, { resolve, reject }); ws.send(JSON.stringify({ id: i, method, params })) })
ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.id && pending.has(m.id)) { const p = pending.get(m.id); pending.delete(m.id); m.error ? p.reject(new Error(JSON.stringify(m.error))) : p.resolve(m.result) } }
const call = () => fetch('http://127.0.0.1:18787/mcp', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } }) }).then(r => r.text())
const drive = async (n, conc) => { let left = n; await Promise.all(Array.from({ length: conc }, async () => { while (left-- > 0) await call() })) }
ws.onopen = async () => {
  await drive(500, 8)
  const interval = Number(process.argv[2] ?? 200)
  await send('Profiler.enable'); await send('Profiler.setSamplingInterval', { interval }); await send('Profiler.start')
  const N = 2000
  const t = Date.now()
  await drive(N, 8)
  const { profile } = await send('Profiler.stop')
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  let total = 0, idle = 0; const counts = {}
  profile.samples.forEach((s, i) => { const d = profile.timeDeltas[i] ?? 0; total += d; const name = byId.get(s).callFrame.functionName || '(anon)'; counts[name] = (counts[name] ?? 0) + d; if (name === '(idle)') idle += d })
  console.log('interval', interval, 'wall', Date.now() - t, 'ms; profiled', (total / 1000).toFixed(0), 'ms; idle', (idle / 1000).toFixed(0), 'ms; busy per req', ((total - idle) / 1000 / N).toFixed(3), 'ms')
  console.log(Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${k}:${(v/1000).toFixed(1)}`).join(' '))
  ws.close()
}
