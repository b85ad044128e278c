'use strict';

// The Switchboard dashboard: reads the admin API's dashboard stream (server-sent events) through fetch, so that the
// API key travels as a header and never in a URL, and draws it. Every value from the node reaches the page as text
// (textContent), never as markup: group names, user ids and addresses are chosen by users.
(() => {
  const KeyItem = 'switchboard.dashboard.key';
  const WindowMs = 5 * 60 * 1000;
  const RetryMs = 2000;
  const Palette = ['#58a6ff', '#3fb950', '#d29922', '#bc8cff', '#ff7b72', '#39c5cf', '#f778ba', '#a5d6ff'];

  // The stream sits beside the page under the hub's prefix: /ws/dashboard/dashboard.js → /ws/admin/dashboard.
  const streamUrl = new URL('../admin/dashboard', document.currentScript.src);

  const Charts = [
    { title: 'Connections', value: (n) => n.connections },
    { title: 'Messages in/s', value: (n) => n.messages_in_per_second },
    { title: 'Messages out/s', value: (n) => n.messages_out_per_second },
    { title: 'Deliveries/s', value: (n) => n.deliveries_per_second },
    { title: 'Drops/s', value: (n, rate) => rate(n, 'dropped') },
    { title: 'Slow-consumer closes/s', value: (n, rate) => rate(n, 'closed_slow') },
  ];

  const colours = new Map();
  const counters = new Map(); // node → { at, dropped, closed_slow }: the last sample, for the rates of the two counters
  let latestAt = 0;

  const $ = (id) => document.getElementById(id);

  function colourOf(node) {
    if (!colours.has(node))
      colours.set(node, Palette[colours.size % Palette.length]);
    return colours.get(node);
  }

  function element(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined)
      e.textContent = text;
    if (className)
      e.className = className;
    return e;
  }

  function compact(value) {
    if (value === null || value === undefined || Number.isNaN(value))
      return '–';
    const abs = Math.abs(value);
    if (abs >= 1e9) return (value / 1e9).toFixed(1) + 'G';
    if (abs >= 1e6) return (value / 1e6).toFixed(1) + 'M';
    if (abs >= 1e4) return (value / 1e3).toFixed(1) + 'k';
    if (abs >= 100 || Number.isInteger(value)) return Math.round(value).toLocaleString('en');
    return value.toFixed(1);
  }

  // Axis steps are quarters of a round number: 0.25 and 37.5 keep their digits.
  const axisLabel = (value) => (value >= 1e4 ? compact(value) : String(Number(value.toFixed(2))));

  function bytes(value) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (value >= 1024 && i < units.length - 1) {
      value /= 1024;
      i++;
    }
    return `${value.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
  }

  // A member's address is akka.tcp://system@host:port; the stats name it host:port.
  const nodeOf = (address) => address.slice(address.lastIndexOf('@') + 1);

  // Time series: one per chart and node, points kept for the last five minutes.
  function makeChart(spec) {
    const figure = element('figure', undefined, 'chart');
    const caption = element('figcaption');
    const latest = element('span', '–', 'latest');
    const total = element('span', undefined, 'total');
    total.append(element('span', 'total ', 'muted'), latest);
    caption.append(element('span', spec.title, 'title'), total);
    const canvas = element('canvas');
    const legend = element('div', undefined, 'legend');
    figure.append(caption, canvas, legend);
    $('charts').append(figure);
    return { ...spec, figure, canvas, latest, legend, series: new Map() };
  }

  const charts = Charts.map(makeChart);

  function record(sample) {
    const at = Date.parse(sample.top.at);
    latestAt = at;
    const rate = (node, field) => {
      const last = counters.get(node.node);
      return last && at > last.at ? Math.max(0, node[field] - last[field]) / ((at - last.at) / 1000) : 0;
    };
    for (const chart of charts) {
      for (const node of sample.top.nodes) {
        if (!chart.series.has(node.node))
          chart.series.set(node.node, []);
        chart.series.get(node.node).push({ at, value: chart.value(node, rate) });
      }
      for (const [node, points] of chart.series) {
        while (points.length > 0 && points[0].at < at - WindowMs)
          points.shift();
        if (points.length === 0)
          chart.series.delete(node);
      }
      const total = sample.top.nodes.reduce((sum, n) => sum + chart.value(n, rate), 0);
      chart.latest.textContent = compact(total);
      chart.figure.dataset.latest = String(total);
    }
    for (const node of sample.top.nodes)
      counters.set(node.node, { at, dropped: node.dropped, closed_slow: node.closed_slow });
  }

  // A round ceiling for the axis: 1, 2 or 5 times a power of ten.
  function niceCeiling(value) {
    if (value <= 1)
      return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 5, 10]) {
      if (value <= step * power)
        return step * power;
    }
    return 10 * power;
  }

  function draw(chart) {
    const canvas = chart.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const style = getComputedStyle(document.documentElement);
    const line = style.getPropertyValue('--line');
    const muted = style.getPropertyValue('--muted');
    const left = 44, right = 8, top = 8, bottom = 18;
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    const from = latestAt - WindowMs;

    let max = 0;
    for (const points of chart.series.values()) {
      for (const p of points)
        max = Math.max(max, p.value);
    }
    max = niceCeiling(max);
    const x = (at) => left + ((at - from) / WindowMs) * plotWidth;
    const y = (value) => top + plotHeight - (value / max) * plotHeight;

    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    g.strokeStyle = line;
    g.fillStyle = muted;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const value = (max * i) / 4;
      const at = Math.round(y(value)) + 0.5;
      g.beginPath();
      g.moveTo(left, at);
      g.lineTo(width - right, at);
      g.stroke();
      g.fillText(axisLabel(value), left - 6, at);
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (let minutes = 5; minutes >= 0; minutes--) {
      const at = x(latestAt - minutes * 60000);
      g.fillText(minutes === 0 ? 'now' : `−${minutes} min`, Math.min(Math.max(at, left + 14), width - right - 12), top + plotHeight + 4);
    }

    g.lineWidth = 1.75;
    g.lineJoin = 'round';
    for (const [node, points] of chart.series) {
      g.strokeStyle = colourOf(node);
      g.beginPath();
      points.forEach((p, i) => (i === 0 ? g.moveTo(x(p.at), y(p.value)) : g.lineTo(x(p.at), y(p.value))));
      g.stroke();
    }

    chart.legend.replaceChildren(...[...chart.series.keys()].map((node) => {
      const entry = element('span');
      const swatch = element('i', undefined, 'swatch');
      swatch.style.background = colourOf(node);
      entry.append(swatch, element('span', node));
      return entry;
    }));
  }

  function setTile(id, value, text) {
    const tile = $(id);
    tile.textContent = text ?? compact(value);
    tile.dataset.value = String(value);
  }

  function renderMembers(sample) {
    const stats = new Map(sample.top.nodes.map((n) => [n.node, n]));
    const rows = sample.members.map((member) => {
      const node = nodeOf(member.address);
      const top = stats.get(node);
      const status = member.reachable ? member.status : 'unreachable';
      const row = element('tr');
      row.dataset.node = node;
      row.dataset.status = status;
      const swatch = element('i', undefined, 'swatch');
      swatch.style.background = colourOf(node);
      const name = element('td', node);
      if (member.is_leader)
        name.append(element('span', 'leader', 'tag'));
      if (member.is_self)
        name.append(element('span', 'this node', 'tag'));
      const badge = element('span', status, `badge ${status.toLowerCase()}`);
      const cells = [
        top ? compact(top.connections) : '–',
        top ? compact(top.messages_in_per_second) : '–',
        top ? compact(top.messages_out_per_second) : '–',
        top ? compact(top.deliveries_per_second) : '–',
        top ? compact(top.dropped) : '–',
        top ? compact(top.closed_slow) : '–',
        top ? `${top.cpu_percent.toFixed(0)} %` : '–',
        top ? bytes(top.memory_bytes) : '–',
      ].map((text) => element('td', text, 'num'));
      const swatchCell = element('td');
      swatchCell.append(swatch);
      const statusCell = element('td');
      statusCell.append(badge);
      row.append(swatchCell, name, statusCell, element('td', member.roles.join(', ') || '–', 'muted'), ...cells);
      return row;
    });
    $('members').tBodies[0].replaceChildren(...rows);
  }

  // The first users of a group that keeps presence, under its name: each id an element of its own (user ids are
  // chosen by users), and how many more.
  function usersOf(present) {
    const line = element('div', undefined, 'group-users');
    line.append(...present.first.map((user) => element('span', user, 'user')));
    if (present.more > 0)
      line.append(element('span', `+${compact(present.more)} more`, 'more'));
    return line;
  }

  function renderGroups(groups, users) {
    const largest = groups.reduce((max, g) => Math.max(max, g.connections), 1);
    const present = new Map(users.map((u) => [u.group, u]));
    $('groups').tBodies[0].replaceChildren(...groups.map((group) => {
      const row = element('tr');
      row.dataset.group = group.group;
      const bar = element('div', undefined, 'bar');
      bar.style.width = `${(100 * group.connections) / largest}%`;
      const barCell = element('td', undefined, 'bar-cell');
      barCell.append(bar);
      const name = element('td', group.group);
      if (present.has(group.group))
        name.append(usersOf(present.get(group.group)));
      row.append(name, element('td', compact(group.users), 'num'), element('td', compact(group.connections), 'num'), barCell);
      return row;
    }));
    $('no-groups').hidden = groups.length > 0;
  }

  const millis = (ms) => (ms === null || ms === undefined ? '–' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

  // The hooks configured on any node, over the cluster: the panel is there only when there are some. Failures (failed,
  // timed out, busy) are what an operator looks for first, so a hook with any is marked.
  function renderHooks(hooks) {
    $('hooks-panel').hidden = hooks.length === 0;
    $('hooks').tBodies[0].replaceChildren(...hooks.map((hook) => {
      const row = element('tr');
      row.dataset.hook = hook.hook;
      row.dataset.failures = String(hook.failures);
      if (hook.failures > 0)
        row.className = 'failing';
      row.append(
        element('td', hook.hook),
        element('td', hook.transport ?? '–', 'muted'),
        ...[
          compact(hook.calls_per_second), millis(hook.p50_ms), millis(hook.p99_ms), compact(hook.failures), compact(hook.failed),
          compact(hook.timed_out), compact(hook.busy), compact(hook.denied), compact(hook.calls),
        ].map((text) => element('td', text, 'num')));
      return row;
    }));
  }

  function render(sample) {
    record(sample);
    const totals = sample.top.totals;
    const up = sample.members.filter((m) => m.status === 'Up' && m.reachable).length;
    setTile('total-members', sample.members.length, `${up} / ${sample.members.length}`);
    setTile('total-connections', totals.connections);
    setTile('total-in', totals.messages_in_per_second);
    setTile('total-out', totals.messages_out_per_second);
    setTile('total-deliveries', totals.deliveries_per_second);
    setTile('total-dropped', totals.dropped);
    setTile('total-slow', totals.closed_slow);
    $('self').textContent = `${nodeOf(sample.self)} · ${new Date(latestAt).toLocaleTimeString()}`;
    const missing = $('missing');
    missing.hidden = sample.top.missing_nodes.length === 0;
    missing.textContent = `No answer from ${sample.top.missing_nodes.join(', ')}`;
    renderMembers(sample);
    renderGroups(sample.largest_groups, sample.largest_groups_users);
    renderHooks(sample.hooks);
    charts.forEach(draw);
  }

  function setState(className, text) {
    const state = $('state');
    state.className = `state ${className}`;
    state.textContent = text;
  }

  function askForKey(message) {
    setState('refused', 'needs a key');
    $('board').hidden = true;
    $('access').hidden = false;
    $('refusal').textContent = message;
    $('key').focus();
  }

  // One server-sent event is its data lines, ended by a blank line.
  async function readEvents(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done)
        return;
      buffer += value.replaceAll('\r\n', '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer.slice(0, end).split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        buffer = buffer.slice(end + 2);
        if (data)
          render(JSON.parse(data));
      }
    }
  }

  async function connect() {
    setState('connecting', 'connecting');
    const key = sessionStorage.getItem(KeyItem);
    const headers = { Accept: 'text/event-stream' };
    if (key)
      headers['X-API-Key'] = key;
    let response;
    try {
      response = await fetch(streamUrl, { headers, cache: 'no-store', credentials: 'omit' });
    } catch {
      return retry('the node does not answer');
    }
    if (response.status === 401 || response.status === 403) {
      const refusal = await response.json().catch(() => null);
      sessionStorage.removeItem(KeyItem);
      const reason = refusal?.message ?? `the node refused the stream (HTTP ${response.status})`;
      return askForKey(key ? `The node refused that key: ${reason}` : reason);
    }
    if (!response.ok)
      return retry(`the node answered HTTP ${response.status}`);
    $('access').hidden = true;
    $('board').hidden = false;
    setState('live', 'live');
    try {
      await readEvents(response.body);
    } catch {
      // The connection broke; retried below like a stream that ended.
    }
    retry('the stream ended');
  }

  function retry(why) {
    setState('down', `${why}; retrying`);
    setTimeout(connect, RetryMs);
  }

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('key');
    sessionStorage.setItem(KeyItem, input.value.trim());
    input.value = '';
    $('refusal').textContent = '';
    connect();
  });
  window.addEventListener('resize', () => charts.forEach(draw));

  connect();
})();
