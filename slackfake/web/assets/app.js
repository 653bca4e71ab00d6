// The fake Slack workspace's page. It keeps no workspace state of its own:
// it asks the server for what the acting member sees (/ui/state), draws it,
// and sends what the member does (/ui/send, /ui/action, /ui/submit, …).
// Server-Sent Events (/ui/events) say when to ask again.
'use strict';
(() => {
  // ---------- small DOM helpers ----------
  const $ = (sel, root = document) => root.querySelector(sel);

  // h builds an element: h('div', {class: 'x', onclick: f, dataset: {ts: 1}}, child, 'text', …)
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v === true) e.setAttribute(k, '');
      else e.setAttribute(k, v);
    }
    append(e, ...children);
    return e;
  }
  function append(parent, ...children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return parent;
  }

  // ---------- what the page is showing ----------
  const ui = {
    as: '', conv: '', thread: '', tab: 'messages',
    state: null, clock: null,
    modalKey: '', homeKey: '', convKey: '', threadKey: '', sideKey: '', dismissed: new Set(),
    // The intro is shown once: closing it is remembered across visits.
    introClosed: localStorage.getItem('introClosed') === '1',
    drawnConv: '', drawnLast: '', scrollToEnd: false,
  };
  let users = new Map(), channels = new Map(), groups = new Map();

  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    ui.as = p.get('as') || localStorage.getItem('as') || '';
    ui.conv = p.get('c') || '';
    ui.thread = p.get('t') || '';
    ui.tab = p.get('tab') || 'messages';
  }
  function writeHash() {
    const p = new URLSearchParams();
    if (ui.as) p.set('as', ui.as);
    if (ui.conv) p.set('c', ui.conv);
    if (ui.thread) p.set('t', ui.thread);
    if (ui.tab !== 'messages') p.set('tab', ui.tab);
    history.replaceState(null, '', '#' + p.toString());
    if (ui.as) localStorage.setItem('as', ui.as);
  }

  // ---------- talking to the server ----------
  async function post(path, body) {
    const res = await fetch(path, {
      method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(Object.assign({as: ui.as}, body)),
    });
    let data = {};
    try { data = await res.json(); } catch (_) { /* not JSON */ }
    if (!res.ok || data.ok === false) {
      const msg = data.error || res.statusText;
      toast(msg);
      throw new Error(msg);
    }
    return data;
  }

  // refresh loads and draws the state; the promise it returns settles once
  // a load that started after the call has been drawn.
  let loading = null, loadAgain = false;
  function refresh() {
    if (loading) { loadAgain = true; return loading; }
    loading = (async () => {
      try {
        do {
          loadAgain = false;
          const q = () => new URLSearchParams({as: ui.as, conv: ui.conv, thread: ui.thread}).toString();
          const asked = q();
          const res = await fetch('/ui/state?' + asked);
          if (!res.ok) { toast((await res.json()).error || res.statusText); return; }
          const st = await res.json();
          // The member switched (or opened another conversation) while this
          // load was under way: drawing it would switch them back.
          if (q() !== asked) { loadAgain = true; continue; }
          ui.state = st;
          render();
        } while (loadAgain);
      } catch (e) {
        toast('Lost the connection to the workspace: ' + e.message);
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  let toastTimer = 0;
  function toast(msg) {
    const t = $('#toast');
    t.textContent = msg;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 7000);
  }

  // ---------- time ----------
  function nowMs() { return ui.clock ? Date.parse(ui.clock.now) : Date.now(); }
  function zoneOf(id) { const u = users.get(id); return (u && u.tz) || undefined; }
  function myZone() { return zoneOf(ui.as) || (ui.clock && ui.clock.zone) || undefined; }
  function fmt(ms, zone, opts) {
    try { return new Intl.DateTimeFormat('en-GB', Object.assign({timeZone: zone}, opts)).format(new Date(ms)); }
    catch (_) { return new Intl.DateTimeFormat('en-GB', opts).format(new Date(ms)); }
  }
  const tsMs = ts => Math.floor(parseFloat(ts) * 1000);
  const hhmm = (ms, zone) => fmt(ms, zone, {hour: '2-digit', minute: '2-digit', hourCycle: 'h23'});
  const dayName = (ms, zone) => fmt(ms, zone, {weekday: 'long', day: 'numeric', month: 'long'});
  const shortWhen = (ms, zone) => fmt(ms, zone, {weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'});

  // renderClock shows a clock status. Statuses come from the event stream,
  // from answers to the time controls and with each state, in no fixed
  // order between them; simulated time only moves forward, so an older
  // one is stale and dropped.
  function renderClock(c) {
    if (!c) return;
    if (ui.clock && Date.parse(c.now) < Date.parse(ui.clock.now)) return;
    ui.clock = c;
    const bar = $('#timebar');
    bar.hidden = false;
    bar.classList.toggle('busy', !!c.busy);
    const now = Date.parse(c.now);
    $('#clock-now').textContent = fmt(now, c.zone, {weekday: 'short', day: 'numeric', month: 'short', year: 'numeric'}) +
      ' · ' + hhmm(now, c.zone) + ' ' + c.zone;
    const next = $('#clock-next');
    next.textContent = '';
    if (c.busy === 'week') {
      append(next, 'Running the week… ', h('b', {text: 'ritual by ritual'}));
    } else if (c.busy === 'next') {
      append(next, 'Jumping to the next ritual…');
    } else if (c.upcoming && c.upcoming.length) {
      const u = c.upcoming[0];
      append(next, 'Next: ', h('b', {text: u.ritual}), ' · ' + u.what + ' · ' + shortWhen(Date.parse(u.at), c.zone));
      next.title = c.upcoming.map(x => shortWhen(Date.parse(x.at), c.zone) + '  ' + x.ritual + ' · ' + x.what).join('\n');
    } else {
      append(next, 'No ritual scheduled.');
    }
    if (c.error) append(next, h('span', {class: 'error', text: ' — ' + c.error}));
    $('#jump-next').disabled = !!c.busy || !(c.upcoming && c.upcoming.length);
    $('#run-week').disabled = !!c.busy;
    $('#pause-clock').textContent = c.paused ? 'Resume clock' : 'Pause clock';
    $('#pause-clock').disabled = !!c.busy;
    renderPeople();
  }

  // ---------- the whole page ----------
  function render() {
    const st = ui.state;
    users = new Map(st.users.map(u => [u.id, u]));
    channels = new Map(st.channels.map(c => [c.id, c]));
    if (st.app.id) channels.set(st.app.id, Object.assign({}, st.app, {name: st.app.name, app: true}));
    groups = new Map(st.groups.map(g => [g.id, g]));
    if (ui.as !== st.me.id) { ui.as = st.me.id; }
    if (ui.conv === 'app' && st.app.id) { ui.conv = st.app.id; refresh(); }
    if (!ui.conv || (!channels.has(ui.conv) && ui.conv !== 'app')) {
      const first = st.channels.find(c => c.member) || st.channels[0];
      if (first) { ui.conv = first.id; refresh(); }
    }
    writeHash();
    renderYouAre();
    renderSidebar();
    renderConv();
    renderThread();
    renderModal();
    renderIntro();
    if (st.clock) renderClock(st.clock);
    document.body.dataset.rendered = String(Number(document.body.dataset.rendered || 0) + 1);
  }

  function displayName(id) {
    const u = users.get(id);
    if (!u) return id;
    return u.real_name || u.name;
  }

  function renderYouAre() {
    const sel = $('#you-are');
    const members = ui.state.users.filter(u => !u.is_bot);
    const sig = members.map(u => u.id).join(',') + '|' + ui.as;
    if (sel.dataset.sig === sig) return;
    sel.dataset.sig = sig;
    sel.textContent = '';
    for (const u of members) {
      sel.append(h('option', {value: u.id, selected: u.id === ui.as, text: (u.real_name || u.name) + (u.tz ? ' (' + u.tz + ')' : '')}));
    }
  }

  function seenKey() { return 'seen:' + ui.as; }
  function seen() { try { return JSON.parse(localStorage.getItem(seenKey()) || '{}'); } catch (_) { return {}; } }
  function markSeen(id, ts) {
    if (!id || !ts) return;
    const s = seen();
    if (s[id] === ts) return;
    s[id] = ts;
    localStorage.setItem(seenKey(), JSON.stringify(s));
  }

  function renderSidebar() {
    const st = ui.state, side = $('#sidebar'), s = seen();
    const key = JSON.stringify([st.channels, st.app, ui.conv, ui.as, s, st.groups]);
    if (key === ui.sideKey) return;
    ui.sideKey = key;
    side.textContent = '';
    // Slack marks unread only what the member is in.
    const item = (c, label, icon, extra) => h('button', {
      type: 'button', class: 'side-item' + (c.id === ui.conv ? ' active' : '') +
        (c.member && c.latest && c.latest > (s[c.id] || '') && c.id !== ui.conv ? ' unread' : '') + (extra || ''),
      dataset: {conv: c.id || 'app'}, title: c.topic || '',
      onclick: () => openConv(c.id || 'app'),
    }, h('span', {class: 'hash', text: icon}), label);
    const mine = st.channels.filter(c => c.member), others = st.channels.filter(c => !c.member);
    side.append(h('div', {class: 'side-section'}, h('div', {class: 'side-title', text: 'Channels'}),
      mine.map(c => item(c, c.name, c.private ? '🔒' : '#'))));
    if (others.length) {
      side.append(h('div', {class: 'side-section'}, h('div', {class: 'side-title', text: 'Other channels'}),
        others.map(c => item(c, c.name, c.private ? '🔒' : '#', ' other'))));
    }
    const app = Object.assign({}, st.app);
    side.append(h('div', {class: 'side-section'}, h('div', {class: 'side-title', text: 'Apps'}),
      item(app, st.app.name, '⚙')));
    // Who is in each user group (@payments-oncall): the on-call rotations
    // keep them, so this shows a handoff happen.
    if (st.groups.length) {
      side.append(h('div', {class: 'side-section', id: 'groups'}, h('div', {class: 'side-title', text: 'User groups'}),
        st.groups.map(g => h('div', {class: 'side-group', dataset: {group: g.id}, title: g.name},
          h('span', {class: 'handle', text: '@' + g.handle}),
          h('span', {class: 'group-members', text: (g.users || []).map(displayName).join(', ') || 'nobody'})))));
    }
    side.append(h('div', {class: 'side-section', id: 'people'}));
    renderPeople();
  }

  function renderPeople() {
    const box = $('#people');
    if (!box || !ui.state) return;
    box.textContent = '';
    box.append(h('div', {class: 'side-title', text: 'People (click to act as)'}));
    for (const u of ui.state.users.filter(x => !x.is_bot)) {
      box.append(h('button', {
        type: 'button', class: 'side-person' + (u.id === ui.as ? ' me' : ''), dataset: {user: u.id},
        title: 'Act as ' + (u.real_name || u.name) + (u.tz ? ' · ' + u.tz : ''),
        onclick: () => switchUser(u.id),
      }, h('span', {}, (u.real_name || u.name) + (u.status_emoji ? ' ' + emojiText(u.status_emoji) : '')),
      h('span', {class: 'local', text: hhmm(nowMs(), u.tz)})));
    }
  }

  function switchUser(id) {
    if (id === ui.as) return;
    ui.as = id;
    ui.thread = '';
    ui.modalKey = '';
    ui.homeKey = '';
    if (ui.conv === (ui.state.app && ui.state.app.id)) ui.conv = 'app';
    refresh();
  }

  async function openConv(id) {
    ui.thread = '';
    if (id === 'app' || (ui.state && id === ui.state.app.id)) {
      ui.conv = ui.state.app.id || 'app';
      await openAppTab(ui.tab);
      return;
    }
    ui.conv = id;
    ui.tab = 'messages';
    refresh();
    $('#composer-text').focus();
  }

  async function openAppTab(tab) {
    ui.tab = tab;
    try {
      const res = await post('/ui/open', {tab});
      if (res.dm) ui.conv = res.dm;
    } catch (_) { /* shown */ }
    refresh();
  }

  // ---------- conversation ----------
  function renderConv() {
    const st = ui.state, head = $('#conv-header'), list = $('#messages'), home = $('#home');
    const isApp = ui.conv === 'app' || (st.app.id && ui.conv === st.app.id);
    head.textContent = '';
    $('#app-tabs').hidden = !isApp;
    for (const b of document.querySelectorAll('#app-tabs .tab')) b.classList.toggle('active', b.dataset.tab === ui.tab);
    const conv = st.conv;
    if (isApp) {
      head.append(h('h1', {text: st.app.name}), h('span', {class: 'badge', text: 'APP'}));
    } else if (conv) {
      head.append(h('h1', {text: (conv.private ? '🔒 ' : '# ') + conv.name}),
        h('span', {class: 'topic', text: (conv.topic ? emojiText(conv.topic) + ' · ' : '') + conv.members + ' members'}));
    }
    const showHome = isApp && ui.tab === 'home';
    home.hidden = !showHome;
    list.hidden = showHome;
    $('#composer').hidden = showHome;
    if (showHome) { renderHome(); return; }
    if (conv) markSeen(conv.id, conv.latest);
    const name = isApp ? st.app.name : (conv ? '#' + conv.name : '');
    $('#composer-text').placeholder = 'Message ' + name + ' — type / for commands';
    // Redraw only what changed: a redraw replaces the nodes under the
    // pointer, an open emoji picker, a text selection.
    const key = JSON.stringify([conv && conv.id, conv && conv.messages, isApp]) + worldKey();
    if (key === ui.convKey) return;
    ui.convKey = key;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const scroll = list.scrollTop;
    // A conversation opens at its newest message, wherever the last one
    // was scrolled to.
    const convID = conv ? conv.id : (isApp ? 'app' : '');
    const opened = convID !== ui.drawnConv;
    ui.drawnConv = convID;
    list.textContent = '';
    const msgs = (conv && conv.messages || []).filter(m => !(m.ephemeral && ui.dismissed.has(m.ts)));
    if (!msgs.length) {
      list.append(h('div', {class: 'empty', text: isApp
        ? 'This is your conversation with ' + st.app.name + '. Slash commands typed here go to the app.'
        : 'No messages yet. Say hello, or type / to run a slash command.'}));
    }
    let lastDay = '';
    for (const m of msgs) {
      const day = dayName(tsMs(m.ts), myZone());
      if (day !== lastDay) { list.append(h('div', {class: 'day', text: day})); lastDay = day; }
      list.append(renderMessage(m, {surface: 'message', conv: conv.id}));
    }
    const last = msgs.length ? msgs.map(m => m.ts).sort().pop() : '';
    const arrived = !opened && last > ui.drawnLast;
    ui.drawnLast = last;
    if (opened || atBottom || (ui.scrollToEnd && arrived)) {
      // What the member sent themself, and its answer, they follow.
      if (arrived) ui.scrollToEnd = false;
      list.scrollTop = list.scrollHeight;
      newMarker(false);
    } else {
      list.scrollTop = scroll;
      // Something new below what the member is reading (a reply to a
      // click, say): say so rather than move the page under them.
      if (arrived) newMarker(true);
    }
  }

  function newMarker(show) {
    const b = $('#new-marker');
    if (b) b.hidden = !show;
  }

  // worldKey is what every drawn message depends on besides its own
  // content: who is looking, the names mentions show, dismissed replies.
  function worldKey() {
    const st = ui.state;
    return JSON.stringify([ui.as, st.users, st.channels.map(c => [c.id, c.name]), st.app.name, st.groups, [...ui.dismissed]]);
  }

  function renderHome() {
    const home = $('#home'), view = ui.state.home;
    const key = JSON.stringify(view || null) + '|' + ui.as;
    if (key === ui.homeKey) return;
    ui.homeKey = key;
    home.textContent = '';
    if (!view) {
      home.append(h('div', {class: 'empty', text: ui.state.app.name + ' has not published a Home tab for you yet.'}));
      return;
    }
    home.append(renderBlocks(view.blocks || [], {surface: 'home', inputs: []}));
  }

  function avatarColor(id) {
    let n = 0;
    for (const ch of id) n = (n * 31 + ch.charCodeAt(0)) >>> 0;
    return ['#4a154b', '#2eb67d', '#e01e5a', '#36c5f0', '#ecb22e', '#1264a3', '#7c3085', '#0b4c8c'][n % 8];
  }
  function initials(id) {
    const name = displayName(id);
    return name.split(/\s+/).filter(Boolean).slice(0, 2).map(w => w[0].toUpperCase()).join('') || '?';
  }

  function renderMessage(m, ctx) {
    const author = m.bot ? ui.state.app.name : displayName(m.user);
    const body = h('div', {class: 'body'},
      h('div', {class: 'meta'}, h('span', {class: 'author', text: author}), m.bot && h('span', {class: 'badge', text: 'APP'}),
        h('span', {class: 'time', title: fmt(tsMs(m.ts), myZone(), {dateStyle: 'full', timeStyle: 'short'}), text: hhmm(tsMs(m.ts), myZone())})));
    const mctx = Object.assign({}, ctx, {ts: m.ts, inputs: []});
    let content;
    if (m.blocks && m.blocks.length) content = renderBlocks(m.blocks, mctx);
    else content = h('div', {class: 'text'}, mrkdwn(m.text || ''));
    if (m.edited) content.append(h('span', {class: 'edited', text: ' (edited)'}));
    body.append(content);
    for (const f of m.files || []) {
      body.append(h('div', {class: 'file'}, f.image
        ? h('a', {href: f.url, target: '_blank', rel: 'noopener'}, h('img', {src: f.url, alt: f.title || f.name}))
        : h('a', {href: f.url, target: '_blank', rel: 'noopener', text: '📎 ' + (f.title || f.name)})));
    }
    if (m.reactions && m.reactions.length) {
      body.append(h('div', {class: 'reactions'}, m.reactions.map(r => {
        const mine = r.users.includes(ui.as);
        return h('button', {
          type: 'button', class: 'reaction' + (mine ? ' mine' : ''), dataset: {reaction: r.name},
          title: r.users.map(displayName).join(', ') + ' reacted with :' + r.name + ':',
          onclick: () => react(ctx.conv, m.ts, r.name, mine),
        }, emojiText(':' + r.name + ':') + ' ' + r.users.length);
      })));
    }
    if (ctx.surface === 'message' && !ctx.inThread && m.reply_count) {
      body.append(h('button', {type: 'button', class: 'thread-link', onclick: () => openThread(m.ts)},
        m.reply_count + (m.reply_count === 1 ? ' reply' : ' replies'),
        h('span', {class: 'when', text: 'Last reply ' + hhmm(tsMs(m.last_reply), myZone())})));
    }
    if (m.ephemeral) {
      body.append(h('div', {class: 'only-you'}, '👁 Only visible to you · ',
        h('button', {type: 'button', text: 'Dismiss', onclick: () => { ui.dismissed.add(m.ts); render(); }})));
    }
    const row = h('div', {class: 'msg' + (m.ephemeral ? ' ephemeral' : ''), dataset: {ts: m.ts, user: m.user}},
      h('div', {class: 'avatar', text: m.bot ? '⚙' : initials(m.user)}), body);
    row.querySelector('.avatar').style.background = m.bot ? '#611f69' : avatarColor(m.user);
    if (!m.ephemeral) {
      const actions = h('div', {class: 'hover-actions'},
        h('button', {type: 'button', title: 'Add reaction', text: '😀', onclick: e => { e.stopPropagation(); togglePicker(row, ctx.conv, m.ts); }}),
        !ctx.inThread && h('button', {type: 'button', title: 'Reply in thread', text: '💬', onclick: () => openThread(m.ts)}));
      row.append(actions);
    }
    return row;
  }

  const quickEmoji = ['pushpin', 'thumbsup', 'white_check_mark', 'eyes', 'tada', 'heart', 'rocket', 'fire'];
  function togglePicker(row, conv, ts) {
    const open = row.querySelector('.picker');
    document.querySelectorAll('.picker').forEach(p => p.remove());
    if (open) return;
    row.append(h('div', {class: 'picker'}, quickEmoji.map(name => h('button', {
      type: 'button', title: ':' + name + ':', dataset: {emoji: name}, text: emojiText(':' + name + ':'),
      onclick: e => { e.stopPropagation(); row.querySelector('.picker').remove(); react(conv, ts, name, false); },
    }))));
  }
  document.addEventListener('click', () => document.querySelectorAll('.picker, .overflow-menu').forEach(p => p.remove()));

  async function react(conv, ts, name, remove) {
    try { await post('/ui/react', {conv, ts, name, remove}); } catch (_) { /* shown */ }
  }

  // ---------- threads ----------
  function openThread(ts) {
    ui.thread = ts;
    refresh();
    setTimeout(() => $('#thread-text').focus(), 50);
  }

  function renderThread() {
    const pane = $('#thread'), t = ui.state.thread;
    if (!ui.thread || !t) { pane.hidden = true; return; }
    pane.hidden = false;
    const conv = channels.get(t.channel);
    $('#thread-where').textContent = conv ? (conv.app ? conv.name : '#' + conv.name) : '';
    const list = $('#thread-messages');
    const key = JSON.stringify(t) + worldKey();
    if (key === ui.threadKey) return;
    ui.threadKey = key;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.textContent = '';
    const ctx = {surface: 'message', conv: t.channel, inThread: true};
    list.append(renderMessage(t.parent, ctx));
    list.append(h('div', {class: 'reply-count', text: t.replies.length + (t.replies.length === 1 ? ' reply' : ' replies')}));
    for (const r of t.replies) {
      if (!(r.ephemeral && ui.dismissed.has(r.ts))) list.append(renderMessage(r, ctx));
    }
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  // ---------- composer ----------
  async function send(text, threadTS) {
    text = text.trim();
    if (!text) return true;
    const conv = ui.conv === 'app' ? '' : ui.conv;
    try {
      await post('/ui/send', {conv, text, thread_ts: threadTS || ''});
      return true;
    } catch (_) {
      return false;
    }
  }

  function wireComposer(form, area, threadTS) {
    const submit = async () => {
      const text = area.value;
      area.disabled = true;
      const ok = await send(text, threadTS());
      area.disabled = false;
      if (ok) area.value = '';
      if (ok && area === $('#composer-text')) ui.scrollToEnd = true;
      hideHints();
      area.focus();
    };
    form.addEventListener('submit', e => { e.preventDefault(); submit(); });
    area.addEventListener('keydown', e => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (area === $('#composer-text') && pickHint()) return;
        submit();
      }
    });
  }

  // Slash command suggestions, as Slack shows them when "/" is typed.
  let hintIndex = 0;
  function commandHints() {
    const area = $('#composer-text'), box = $('#command-hints'), cmds = (ui.state && ui.state.commands) || [];
    const v = area.value;
    if (!v.startsWith('/') || v.includes(' ') || !cmds.length) { hideHints(); return; }
    const match = cmds.filter(c => c.name.startsWith(v.toLowerCase()));
    if (!match.length) { hideHints(); return; }
    hintIndex = Math.min(hintIndex, match.length - 1);
    box.textContent = '';
    match.forEach((c, i) => box.append(h('button', {
      type: 'button', class: i === hintIndex ? 'sel' : '', dataset: {command: c.name},
      onclick: () => { area.value = c.name + ' '; hideHints(); area.focus(); },
    }, c.name, h('span', {class: 'hint', text: c.hint || ''}))));
    box.hidden = false;
  }
  function hideHints() { $('#command-hints').hidden = true; hintIndex = 0; }
  function pickHint() {
    const box = $('#command-hints');
    if (box.hidden) return false;
    const sel = box.querySelector('button.sel');
    if (!sel || $('#composer-text').value === sel.dataset.command) return false;
    $('#composer-text').value = sel.dataset.command + ' ';
    hideHints();
    return true;
  }

  // ---------- modals ----------
  function renderModal() {
    const layer = $('#modal-layer'), modals = ui.state.modals || [];
    if (!modals.length) {
      layer.hidden = true;
      layer.textContent = '';
      ui.modalKey = '';
      return;
    }
    const top = modals[modals.length - 1];
    const key = ui.as + '|' + top.id + '|' + top.hash;
    if (key === ui.modalKey) return;
    ui.modalKey = key;
    const v = top.view || {};
    const inputs = [];
    const ctx = {surface: 'modal', viewId: top.id, inputs};
    const closeText = (v.close && v.close.text) || 'Cancel';
    const submitBtn = v.submit && h('button', {type: 'submit', class: 'btn primary submit', text: v.submit.text});
    const form = h('form', {class: 'modal', dataset: {viewId: top.id}, role: 'dialog', 'aria-label': (v.title && v.title.text) || 'Modal'},
      h('div', {class: 'modal-head'},
        modals.length > 1 && h('button', {type: 'button', class: 'icon', title: 'Back', text: '‹', onclick: () => closeModal(top.id)}),
        h('h2', {text: plainText(v.title)}),
        h('button', {type: 'button', class: 'icon', title: 'Close', text: '×', onclick: () => closeModal(top.id)})),
      h('div', {class: 'modal-body'}, renderBlocks(v.blocks || [], ctx)),
      h('div', {class: 'modal-foot'},
        h('button', {type: 'button', class: 'btn cancel', text: closeText, onclick: () => closeModal(top.id)}),
        submitBtn));
    form.addEventListener('submit', e => { e.preventDefault(); submitModal(top.id, inputs, form, submitBtn); });
    layer.textContent = '';
    layer.append(form);
    layer.hidden = false;
    const first = form.querySelector('input, textarea, select');
    if (first) first.focus();
  }

  async function closeModal(id) {
    try { await post('/ui/close', {view_id: id}); } catch (_) { /* shown */ }
  }

  function showInputError(inp, msg) {
    inp.block.classList.toggle('has-error', !!msg);
    inp.error.textContent = msg || '';
    inp.error.hidden = !msg;
  }

  async function submitModal(id, inputs, form, btn) {
    const values = {};
    let bad = false;
    for (const inp of inputs) {
      const v = inp.get();
      let msg = '';
      // What Slack's client checks before it lets a member submit.
      if (!inp.optional && !v) msg = 'Please complete this required field.';
      else if (v && inp.min && v.length < inp.min) msg = 'Please enter at least ' + inp.min + ' characters.';
      else if (v && inp.max && v.length > inp.max) msg = 'Please enter no more than ' + inp.max + ' characters.';
      showInputError(inp, msg);
      if (msg) { bad = true; continue; }
      (values[inp.blockId] = values[inp.blockId] || {})[inp.actionId] = v;
    }
    if (bad) return;
    if (btn) btn.disabled = true;
    try {
      const res = await post('/ui/submit', {view_id: id, values});
      if (res.errors) {
        for (const inp of inputs) showInputError(inp, res.errors[inp.blockId] || '');
      }
    } catch (_) {
      /* shown */
    } finally {
      if (btn) btn.disabled = false;
    }
  }

  // ---------- confirm dialogs (a button's "confirm" object) ----------
  function confirmDialog(c) {
    return new Promise(resolve => {
      const layer = $('#confirm-layer');
      const done = ok => { layer.hidden = true; layer.textContent = ''; resolve(ok); };
      layer.textContent = '';
      layer.append(h('div', {class: 'modal confirm'},
        h('div', {class: 'modal-head'}, h('h2', {text: plainText(c.title) || 'Are you sure?'})),
        h('div', {class: 'modal-body'}, h('div', {class: 'text'}, textObject(c.text))),
        h('div', {class: 'modal-foot'},
          h('button', {type: 'button', class: 'btn', text: plainText(c.deny) || 'Cancel', onclick: () => done(false)}),
          h('button', {type: 'button', class: 'btn ' + (c.style === 'danger' ? 'danger' : 'primary'), text: plainText(c.confirm) || 'Yes', onclick: () => done(true)}))));
      layer.hidden = false;
    });
  }

  // ---------- Block Kit ----------
  function plainText(t) { return t ? emojiText(typeof t === 'string' ? t : (t.text || '')) : ''; }
  function textObject(t) {
    if (!t) return [];
    if (typeof t === 'string') return mrkdwn(t);
    return t.type === 'mrkdwn' ? mrkdwn(t.text || '') : [emojiText(t.text || '')];
  }

  function renderBlocks(blocks, ctx) {
    const box = h('div', {class: 'blocks'});
    blocks.forEach((b, i) => {
      const node = renderBlock(b, i, ctx);
      if (node) box.append(node);
    });
    return box;
  }

  function blockIdOf(b, i) { return b.block_id || 'fake-block-' + i; }

  function renderBlock(b, i, ctx) {
    const bid = blockIdOf(b, i);
    switch (b.type) {
      case 'header':
        return h('div', {class: 'b-header'}, plainText(b.text));
      case 'section': {
        const main = h('div', {class: 'main'});
        if (b.text) main.append(h('div', {class: 'text'}, textObject(b.text)));
        if (b.fields) main.append(h('div', {class: 'fields'}, b.fields.map(f => h('div', {class: 'text'}, textObject(f)))));
        const sec = h('div', {class: 'b-section', dataset: {blockId: bid}}, main);
        if (b.accessory) sec.append(renderElement(b.accessory, bid, ctx, false));
        return sec;
      }
      case 'context':
        return h('div', {class: 'b-context'}, (b.elements || []).map(e =>
          e.type === 'image' ? image(e.image_url, e.alt_text, e.slack_file) : h('span', {class: 'text'}, textObject(e))));
      case 'divider':
        return h('hr', {class: 'b-divider'});
      case 'actions':
        return h('div', {class: 'b-actions', dataset: {blockId: bid}}, (b.elements || []).map(e => renderElement(e, bid, ctx, false)));
      case 'image':
        return h('div', {class: 'b-image'}, b.title && h('div', {class: 'title', text: plainText(b.title)}),
          image(b.image_url, b.alt_text, b.slack_file));
      case 'input':
        return renderInput(b, bid, ctx);
      case 'rich_text':
        return h('div', {class: 'b-rich text'}, (b.elements || []).map(richElement));
      case 'markdown':
        return h('div', {class: 'text'}, mrkdwn((b.text || '').replace(/\*\*(.+?)\*\*/g, '*$1*')));
      case 'file':
        return h('div', {class: 'b-unknown', text: '📎 a shared file'});
      case 'video':
        return h('div', {class: 'b-unknown', text: '🎬 ' + plainText(b.title)});
      default:
        return h('div', {class: 'b-unknown', text: 'This block (' + b.type + ') is not shown here.'});
    }
  }

  function image(url, alt, slackFile) {
    let src = '';
    if (slackFile && slackFile.id) src = '/ui/files/' + encodeURIComponent(slackFile.id);
    else if (url && url.startsWith('/')) src = url;
    // Images on other hosts are not fetched: the demo never calls out.
    if (!src) return h('span', {class: 'img-missing', title: url || '', text: '🖼 ' + (alt || 'image')});
    return h('img', {src, alt: alt || ''});
  }

  function richElement(e) {
    switch (e.type) {
      case 'rich_text_section': return h('div', {}, (e.elements || []).map(richInline));
      case 'rich_text_preformatted': return h('pre', {class: 'code'}, (e.elements || []).map(richInline));
      case 'rich_text_quote': return h('blockquote', {}, (e.elements || []).map(richInline));
      case 'rich_text_list': {
        const list = h(e.style === 'ordered' ? 'ol' : 'ul');
        for (const item of e.elements || []) list.append(h('li', {}, (item.elements || []).map(richInline)));
        return list;
      }
      default: return null;
    }
  }
  function richInline(e) {
    let node;
    switch (e.type) {
      case 'text': node = document.createTextNode(e.text || ''); break;
      case 'link': node = safeLink(e.url, e.text || e.url); break;
      case 'user': node = mentionUser(e.user_id); break;
      case 'channel': node = mentionChannel(e.channel_id); break;
      case 'usergroup': node = mentionGroup(e.usergroup_id); break;
      case 'broadcast': node = h('span', {class: 'mention', text: '@' + e.range}); break;
      case 'emoji': node = document.createTextNode(emojiText(':' + e.name + ':')); break;
      default: return null;
    }
    const st = e.style || {};
    if (st.code) node = h('code', {}, node);
    if (st.bold) node = h('b', {}, node);
    if (st.italic) node = h('i', {}, node);
    if (st.strike) node = h('s', {}, node);
    return node;
  }

  function optionsOf(e) {
    if (e.option_groups) return e.option_groups.flatMap(g => g.options || []);
    return e.options || [];
  }

  function selectEl(e, multi, opts, initial) {
    const sel = h('select', {class: 'el', multiple: multi, dataset: {actionId: e.action_id || ''}});
    if (!multi) sel.append(h('option', {value: '', text: plainText(e.placeholder) || 'Select an item'}));
    for (const o of opts) sel.append(h('option', {value: o.value, text: o.label, selected: initial.includes(o.value)}));
    return sel;
  }

  function selectValue(sel) {
    return Array.from(sel.selectedOptions).map(o => o.value).filter(Boolean).join(',');
  }

  function memberOptions() {
    return ui.state.users.filter(u => !u.is_bot).map(u => ({value: u.id, label: u.real_name || u.name}));
  }
  function channelOptions() {
    return ui.state.channels.map(c => ({value: c.id, label: '#' + c.name}));
  }

  // renderElement draws an interactive element. In an input block it only
  // collects a value for the submission (unless dispatch_action); anywhere
  // else using it sends block_actions.
  function renderElement(e, bid, ctx, inInput, dispatch) {
    const act = value => sendAction(ctx, e, value);
    const onChange = (node, read) => {
      if (!inInput || dispatch) node.addEventListener('change', () => act(read()));
    };
    switch (e.type) {
      case 'button': {
        const b = h('button', {type: 'button', class: 'btn' + (e.style ? ' ' + e.style : ''), dataset: {actionId: e.action_id || ''}},
          plainText(e.text));
        b.addEventListener('click', async ev => {
          ev.preventDefault();
          if (e.confirm && !(await confirmDialog(e.confirm))) return;
          if (e.url) window.open(e.url, '_blank', 'noopener');
          b.disabled = true;
          try { await act(''); } finally { b.disabled = false; }
        });
        return b;
      }
      case 'static_select': case 'external_select': case 'multi_static_select': case 'multi_external_select': {
        const multi = e.type.startsWith('multi_');
        const opts = optionsOf(e).map(o => ({value: o.value, label: plainText(o.text)}));
        const init = (multi ? (e.initial_options || []) : (e.initial_option ? [e.initial_option] : [])).map(o => o.value);
        const sel = selectEl(e, multi, opts, init);
        onChange(sel, () => selectValue(sel));
        return withValue(sel, () => selectValue(sel));
      }
      case 'users_select': case 'multi_users_select': {
        const multi = e.type === 'multi_users_select';
        const init = multi ? (e.initial_users || []) : (e.initial_user ? [e.initial_user] : []);
        const sel = selectEl(e, multi, memberOptions(), init);
        onChange(sel, () => selectValue(sel));
        return withValue(sel, () => selectValue(sel));
      }
      case 'conversations_select': case 'channels_select': case 'multi_conversations_select': case 'multi_channels_select': {
        const multi = e.type.startsWith('multi_');
        const init = [].concat(e.initial_conversation || [], e.initial_channel || [], e.initial_conversations || [], e.initial_channels || []);
        const sel = selectEl(e, multi, channelOptions(), init);
        onChange(sel, () => selectValue(sel));
        return withValue(sel, () => selectValue(sel));
      }
      case 'datepicker': {
        const inp = h('input', {type: 'date', class: 'el', value: e.initial_date || '', dataset: {actionId: e.action_id || ''}});
        onChange(inp, () => inp.value);
        return withValue(inp, () => inp.value);
      }
      case 'timepicker': {
        const inp = h('input', {type: 'time', class: 'el', value: e.initial_time || '', dataset: {actionId: e.action_id || ''}});
        onChange(inp, () => inp.value);
        return withValue(inp, () => inp.value);
      }
      case 'checkboxes': case 'radio_buttons': {
        const radio = e.type === 'radio_buttons';
        const name = 'r' + Math.random().toString(36).slice(2);
        const init = radio ? (e.initial_option ? [e.initial_option.value] : []) : (e.initial_options || []).map(o => o.value);
        const box = h('div', {class: 'choices', dataset: {actionId: e.action_id || ''}}, (e.options || []).map(o =>
          h('label', {}, h('input', {type: radio ? 'radio' : 'checkbox', name, value: o.value, checked: init.includes(o.value)}),
            h('span', {class: 'text'}, textObject(o.text)))));
        const read = () => Array.from(box.querySelectorAll('input:checked')).map(x => x.value).join(',');
        onChange(box, read);
        return withValue(box, read);
      }
      case 'overflow': {
        const wrap = h('span', {class: 'overflow'});
        const btn = h('button', {type: 'button', class: 'btn', text: '⋯', dataset: {actionId: e.action_id || ''}});
        btn.addEventListener('click', ev => {
          ev.stopPropagation();
          const open = wrap.querySelector('.overflow-menu');
          document.querySelectorAll('.overflow-menu').forEach(m => m.remove());
          if (open) return;
          wrap.append(h('div', {class: 'overflow-menu'}, (e.options || []).map(o => h('button', {
            type: 'button', text: plainText(o.text),
            onclick: ev2 => { ev2.stopPropagation(); wrap.querySelector('.overflow-menu').remove(); if (o.url) window.open(o.url, '_blank', 'noopener'); act(o.value); },
          }))));
        });
        wrap.append(btn);
        return wrap;
      }
      case 'plain_text_input': case 'email_text_input': case 'url_text_input': case 'number_input': case 'rich_text_input': {
        const multiline = e.multiline || e.type === 'rich_text_input';
        const type = {email_text_input: 'email', url_text_input: 'url', number_input: 'number'}[e.type] || 'text';
        const attrs = {class: 'el wide', placeholder: plainText(e.placeholder) || '', dataset: {actionId: e.action_id || ''}};
        const node = multiline ? h('textarea', attrs) : h('input', Object.assign({type}, attrs));
        node.value = typeof e.initial_value === 'string' ? e.initial_value : '';
        onChange(node, () => node.value);
        return withValue(node, () => node.value);
      }
      case 'image':
        return image(e.image_url, e.alt_text, e.slack_file);
      default:
        return h('span', {class: 'b-unknown', text: '(' + e.type + ')'});
    }
  }

  function withValue(node, read) { node._read = read; return node; }

  function renderInput(b, bid, ctx) {
    const e = b.element || {};
    const node = renderElement(e, bid, ctx, true, b.dispatch_action);
    const error = h('div', {class: 'error', hidden: true});
    const block = h('div', {class: 'b-input', dataset: {blockId: bid}},
      h('label', {class: 'lbl'}, plainText(b.label), b.optional && h('span', {class: 'optional', text: ' (optional)'})),
      node, b.hint && h('div', {class: 'hint', text: plainText(b.hint)}), error);
    if (ctx.inputs && node._read) {
      ctx.inputs.push({blockId: bid, actionId: e.action_id || '', get: node._read, optional: !!b.optional,
        min: e.min_length, max: e.max_length, block, error});
    }
    return block;
  }

  async function sendAction(ctx, e, value) {
    const body = {surface: ctx.surface, action_id: e.action_id, value};
    if (ctx.surface === 'modal') body.view_id = ctx.viewId;
    if (ctx.surface === 'message') { body.conv = ctx.conv; body.ts = ctx.ts; }
    try { await post('/ui/action', body); } catch (_) { /* shown */ }
  }

  // ---------- mrkdwn ----------
  // Slack's mrkdwn: *bold*, _italic_, ~strike~, `code`, ```blocks```,
  // > quotes, <url|links>, <@U…> and <#C…> mentions, <!here>, :emoji:,
  // and the three escapes &amp; &lt; &gt;. Built as DOM nodes, never as HTML.
  const entities = s => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

  function mrkdwn(text) {
    const out = [];
    const parts = text.split(/```/);
    parts.forEach((part, i) => {
      if (i % 2 === 1) { out.push(h('pre', {class: 'code', text: entities(part.replace(/^\n/, ''))})); return; }
      const lines = part.split('\n');
      let quote = null;
      lines.forEach((line, j) => {
        const q = line.match(/^(?:&gt;|>)\s?(.*)$/);
        if (q) {
          if (!quote) { quote = h('blockquote'); out.push(quote); } else quote.append('\n');
          append(quote, inline(q[1]));
          return;
        }
        if (quote) { quote = null; }
        else if (j > 0) out.push('\n');
        out.push(...inline(line));
      });
    });
    return out;
  }

  const inlineSrc = /`([^`]+)`|<([^<>]+)>|(^|[\s(\[{>"'“‘])([*_~])(?=\S)(.+?)(?<=\S)\4(?=$|[\s)\]}.,;:!?'"”’<-])|:([a-z0-9_+'-]+):/g;

  function inline(s) {
    const out = [];
    let last = 0;
    // A regexp of its own: formatting nests, so inline calls itself.
    const inlineRE = new RegExp(inlineSrc.source, 'g');
    let m;
    while ((m = inlineRE.exec(s)) !== null) {
      let start = m.index;
      if (m[3] !== undefined && m[4]) start += m[3].length;
      if (start > last) out.push(entities(s.slice(last, start)));
      if (m[1] !== undefined) out.push(h('code', {text: entities(m[1])}));
      else if (m[2] !== undefined) out.push(angle(m[2]));
      else if (m[4]) {
        const tag = {'*': 'b', '_': 'i', '~': 's'}[m[4]];
        out.push(append(h(tag), inline(m[5])));
      } else if (m[6] !== undefined) out.push(emojiText(m[0]));
      last = inlineRE.lastIndex;
    }
    if (last < s.length) out.push(entities(s.slice(last)));
    return out;
  }

  function angle(inner) {
    const [target, label] = splitOnce(inner, '|');
    if (target.startsWith('@')) return mentionUser(target.slice(1), label);
    if (target.startsWith('#')) return mentionChannel(target.slice(1), label);
    if (target.startsWith('!subteam^')) return mentionGroup(target.slice(9), label);
    if (target.startsWith('!date^')) {
      const [, epoch] = target.split('^');
      const ms = Number(epoch) * 1000;
      return document.createTextNode(isFinite(ms) ? fmt(ms, myZone(), {dateStyle: 'medium', timeStyle: 'short'}) : entities(label || ''));
    }
    if (target.startsWith('!')) {
      const name = target.slice(1);
      return h('span', {class: 'mention', text: '@' + (['here', 'channel', 'everyone'].includes(name) ? name : entities(label || name))});
    }
    return safeLink(entities(target), entities(label || target));
  }

  function splitOnce(s, sep) {
    const i = s.indexOf(sep);
    return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
  }

  function safeLink(url, label) {
    if (!/^(https?:|mailto:)/i.test(url)) return document.createTextNode(label || url);
    return h('a', {href: url, target: '_blank', rel: 'noopener noreferrer', text: label || url});
  }
  function mentionUser(id, label) {
    const known = users.has(id);
    return h('span', {class: 'mention' + (id === ui.as ? ' me' : ''), dataset: {user: id},
      text: '@' + (known ? displayName(id) : entities(label || id))});
  }
  function mentionChannel(id, label) {
    const c = channels.get(id);
    return h('span', {class: 'mention', text: '#' + (c ? c.name : entities(label || id))});
  }
  function mentionGroup(id, label) {
    const g = groups.get(id);
    return h('span', {class: 'mention', text: g ? '@' + g.handle : entities(label || id)});
  }

  // A few emoji by their Slack names; the rest show as :name:.
  const emoji = {
    '+1': '👍', thumbsup: '👍', '-1': '👎', thumbsdown: '👎', white_check_mark: '✅', heavy_check_mark: '✔️',
    x: '❌', warning: '⚠️', no_entry: '⛔', rotating_light: '🚨', fire: '🔥', tada: '🎉', rocket: '🚀',
    pushpin: '📌', round_pushpin: '📍', eyes: '👀', heart: '❤️', wave: '👋', memo: '📝', calendar: '📅',
    spiral_calendar_pad: '🗓️', date: '📅', clock9: '🕘', alarm_clock: '⏰', hourglass: '⌛', hourglass_flowing_sand: '⏳',
    stopwatch: '⏱️', bell: '🔔', pager: '📟', telephone_receiver: '📞', sos: '🆘', fire_engine: '🚒',
    chart_with_upwards_trend: '📈', chart_with_downwards_trend: '📉', bar_chart: '📊', clipboard: '📋',
    red_circle: '🔴', large_green_circle: '🟢', large_yellow_circle: '🟡', large_orange_circle: '🟠', large_blue_circle: '🔵',
    white_circle: '⚪', black_circle: '⚫', arrow_up: '⬆️', arrow_down: '⬇️', arrow_right: '➡️', arrow_left: '⬅️',
    small_red_triangle: '🔺', small_red_triangle_down: '🔻', sunny: '☀️', palm_tree: '🌴', beach_with_umbrella: '🏖️',
    airplane: '✈️', face_with_thermometer: '🤒', house: '🏠', coffee: '☕', pizza: '🍕', fork_and_knife: '🍴',
    busts_in_silhouette: '👥', bust_in_silhouette: '👤', speech_balloon: '💬', sparkles: '✨', bulb: '💡',
    construction: '🚧', mag: '🔍', lock: '🔒', star: '⭐', zzz: '💤', muscle: '💪', raised_hands: '🙌', pray: '🙏',
    clap: '👏', thinking_face: '🤔', slightly_smiling_face: '🙂', smile: '😄', sweat_smile: '😅', robot_face: '🤖',
    gear: '⚙️', package: '📦', ship: '🚢', bug: '🐛', wrench: '🔧', hammer_and_wrench: '🛠️', link: '🔗',
    inbox_tray: '📥', outbox_tray: '📤', trophy: '🏆', dart: '🎯', checkered_flag: '🏁', traffic_light: '🚥',
    vertical_traffic_light: '🚦', question: '❓', exclamation: '❗', information_source: 'ℹ️', new: '🆕',
    repeat: '🔁', arrows_counterclockwise: '🔄', heavy_plus_sign: '➕', heavy_minus_sign: '➖', point_right: '👉',
    books: '📚', notebook: '📓', scroll: '📜', crystal_ball: '🔮', handshake: '🤝', shield: '🛡️', thermometer: '🌡️',
  };
  function emojiText(s) {
    return String(s).replace(/:([a-z0-9_+'-]+):/g, (all, name) => emoji[name] || all);
  }

  // ---------- intro ----------
  // The intro shows in the first channel only, until closed.
  function renderIntro() {
    const box = $('#intro'), lines = ui.state.intro || [];
    const first = ui.state.channels.find(c => c.member) || ui.state.channels[0];
    if (ui.introClosed || !lines.length || !first || ui.conv !== first.id) { box.hidden = true; return; }
    if (box.dataset.filled) { box.hidden = false; return; }
    box.dataset.filled = '1';
    box.append(h('button', {type: 'button', class: 'close', title: 'Hide', text: '×', onclick: () => {
      ui.introClosed = true; localStorage.setItem('introClosed', '1'); box.hidden = true;
    }}));
    for (const l of lines) box.append(h('p', {class: 'text'}, mrkdwn(l)));
    box.hidden = false;
  }

  // ---------- time controls ----------
  // clockPost moves time; once the page shows what the bot did meanwhile,
  // body[data-moves] counts one more move (tests wait on it).
  let moves = 0;
  async function clockPost(path, body) {
    try {
      const res = await post(path, body || {});
      if (res.clock) renderClock(res.clock);
      await refresh();
    } catch (_) { /* shown */ }
    document.body.dataset.moves = String(++moves);
  }

  // ---------- start ----------
  function start() {
    readHash();
    wireComposer($('#composer'), $('#composer-text'), () => '');
    wireComposer($('#thread-composer'), $('#thread-text'), () => ui.thread);
    $('#composer-text').addEventListener('input', commandHints);
    $('#composer-text').addEventListener('keydown', e => {
      const box = $('#command-hints');
      if (box.hidden) return;
      const n = box.querySelectorAll('button').length;
      if (e.key === 'ArrowDown') { e.preventDefault(); hintIndex = (hintIndex + 1) % n; commandHints(); }
      if (e.key === 'ArrowUp') { e.preventDefault(); hintIndex = (hintIndex + n - 1) % n; commandHints(); }
      if (e.key === 'Escape') hideHints();
    });
    $('#you-are').addEventListener('change', e => switchUser(e.target.value));
    $('#thread-close').addEventListener('click', () => { ui.thread = ''; refresh(); });
    $('#new-marker').addEventListener('click', () => {
      const list = $('#messages');
      list.scrollTop = list.scrollHeight;
      newMarker(false);
    });
    $('#messages').addEventListener('scroll', () => {
      const list = $('#messages');
      if (list.scrollHeight - list.scrollTop - list.clientHeight < 40) newMarker(false);
    });
    for (const b of document.querySelectorAll('#app-tabs .tab')) b.addEventListener('click', () => openAppTab(b.dataset.tab));
    $('#jump-next').addEventListener('click', () => clockPost('/ui/clock/next'));
    $('#run-week').addEventListener('click', () => clockPost('/ui/clock/week'));
    $('#pause-clock').addEventListener('click', () => clockPost('/ui/clock/pause', {paused: !(ui.clock && ui.clock.paused)}));
    document.addEventListener('keydown', e => {
      if (e.key === 'Escape' && !$('#modal-layer').hidden && $('#confirm-layer').hidden) {
        const f = $('#modal-layer form');
        if (f) closeModal(f.dataset.viewId);
      }
    });
    const events = new EventSource('/ui/events');
    events.addEventListener('workspace', () => refresh());
    events.addEventListener('clock', e => renderClock(JSON.parse(e.data)));
    events.addEventListener('hello', () => refresh());
    refresh();
  }
  start();
})();
