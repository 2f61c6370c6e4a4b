/* Sokoni sandbox: a WhatsApp chat simulator.
 *
 * You type as a customer; the server turns each message into a signed Meta
 * webhook and runs it through the production intake. The thread shows the
 * Graph API bodies the business sent back, rendered like a phone would.
 *
 * The first half of this file is pure (no DOM): turning a Graph body into a
 * description of what to draw, building inbound message objects, phone
 * numbers, rich text. It is exported for node tests. The second half draws
 * the page and is only run in a browser. Server data only ever reaches the
 * page through textContent and validated http(s) hrefs, never innerHTML.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------- helpers

  function isObj(x) {
    return x !== null && typeof x === 'object' && !Array.isArray(x);
  }

  function arr(x) {
    return Array.isArray(x) ? x : [];
  }

  /** A display string for any scalar; objects become '' (never "[object Object]"). */
  function str(x) {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    return '';
  }

  function digitsOnly(s) {
    return str(s).replace(/\D+/g, '');
  }

  /** An http(s) URL we are willing to put in an href, or null. */
  function safeHttpUrl(raw) {
    var s = str(raw).trim();
    if (!/^https?:\/\//i.test(s)) return null;
    try {
      var u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
      return u.href;
    } catch (_e) {
      return null;
    }
  }

  // -------------------------------------------------------------- rich text

  var URL_RE = /\bhttps?:\/\/[^\s<>"]+/gi;
  // Characters that end a sentence rather than a URL.
  var URL_TRAILING = /[.,;:!?'")\]}*_~>]+$/;

  /** [{start, end, href}] of the http(s) URLs in text. */
  function findUrls(text) {
    var out = [];
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text)) !== null) {
      var raw = m[0];
      var trimmed = raw.replace(URL_TRAILING, '');
      // Keep a closing parenthesis that closes one opened inside the URL.
      while (trimmed.length < raw.length && raw[trimmed.length] === ')' &&
        (trimmed.split('(').length - 1) > (trimmed.split(')').length - 1)) {
        trimmed += ')';
      }
      var href = safeHttpUrl(trimmed);
      if (href && trimmed.length > 'https://'.length - 1) {
        out.push({ start: m.index, end: m.index + trimmed.length, href: href });
      }
    }
    return out;
  }

  var WORD_CHAR = /[0-9A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF]/;
  var MARKERS = { '*': 'bold', '_': 'italic', '~': 'strike' };

  /**
   * WhatsApp formatting: *bold*, _italic_, ~strike~, ```mono```, plus links.
   * Returns segments {text, bold, italic, strike, mono, href}; newlines stay
   * in the text (the page renders them with white-space: pre-wrap).
   */
  function parseRich(input) {
    var text = str(input);
    var urls = findUrls(text);
    var out = [];

    function inUrl(pos) {
      for (var k = 0; k < urls.length; k++) {
        if (pos >= urls[k].start && pos < urls[k].end) return true;
      }
      return false;
    }

    function emitPlain(s, e, style) {
      if (e <= s) return;
      var pos = s;
      for (var k = 0; k < urls.length; k++) {
        var u = urls[k];
        if (u.end <= s || u.start >= e) continue;
        var us = Math.max(u.start, s);
        var ue = Math.min(u.end, e);
        if (us > pos) out.push(seg(text.slice(pos, us), style, null));
        out.push(seg(text.slice(us, ue), style, us === u.start && ue === u.end ? u.href : null));
        pos = ue;
      }
      if (pos < e) out.push(seg(text.slice(pos, e), style, null));
    }

    function seg(t, style, href) {
      var o = { text: t, bold: !!style.bold, italic: !!style.italic, strike: !!style.strike, mono: !!style.mono };
      if (href) o.href = href;
      return o;
    }

    function canOpen(i, e, c) {
      if (inUrl(i)) return false;
      var prev = i > 0 ? text[i - 1] : '';
      var next = i + 1 < e ? text[i + 1] : '';
      return (prev === '' || !WORD_CHAR.test(prev)) && next !== '' && !/\s/.test(next) && next !== c;
    }

    function canClose(j, e) {
      if (inUrl(j)) return false;
      var prev = text[j - 1];
      var next = j + 1 < text.length ? text[j + 1] : '';
      return !/\s/.test(prev) && (j + 1 >= e || next === '' || !WORD_CHAR.test(next));
    }

    function walk(s, e, style) {
      var plainStart = s;
      var i = s;
      while (i < e) {
        var c = text[i];
        if (c === '`' && text.substr(i, 3) === '```' && !inUrl(i)) {
          var close = text.indexOf('```', i + 3);
          if (close !== -1 && close + 3 <= e && close > i + 3) {
            emitPlain(plainStart, i, style);
            out.push(seg(text.slice(i + 3, close), Object.assign({}, style, { mono: true }), null));
            i = close + 3;
            plainStart = i;
            continue;
          }
        }
        var flag = MARKERS[c];
        if (flag && !style[flag] && canOpen(i, e, c)) {
          var j = i + 2;
          var found = -1;
          while (j < e) {
            if (text[j] === '\n') break;
            if (text[j] === c && canClose(j, e)) { found = j; break; }
            j++;
          }
          if (found !== -1) {
            emitPlain(plainStart, i, style);
            var inner = Object.assign({}, style);
            inner[flag] = true;
            walk(i + 1, found, inner);
            i = found + 1;
            plainStart = i;
            continue;
          }
        }
        i++;
      }
      emitPlain(plainStart, e, style);
    }

    walk(0, text.length, {});
    // Merge neighbours with the same style (keeps the DOM small).
    var merged = [];
    out.forEach(function (o) {
      var last = merged[merged.length - 1];
      if (last && !last.href && !o.href && last.bold === o.bold && last.italic === o.italic &&
        last.strike === o.strike && last.mono === o.mono) {
        last.text += o.text;
      } else {
        merged.push(o);
      }
    });
    return merged;
  }

  // -------------------------------------------------------- Meta's limits

  // protocols.md §1.5. Shown to developers as hints; the simulator still
  // renders what was sent.
  function checkLimits(payload) {
    var p = [];
    if (!isObj(payload)) return p;
    function len(s) { return Array.from(str(s)).length; }
    if (payload.type === 'text') {
      var b = payload.text && payload.text.body;
      if (len(b) === 0) p.push('text body is empty');
      if (len(b) > 4096) p.push('text body is over 4096 characters');
    }
    var it = payload.type === 'interactive' && isObj(payload.interactive) ? payload.interactive : null;
    if (!it) return p;
    var header = isObj(it.header) ? it.header : null;
    var body = isObj(it.body) ? str(it.body.text) : '';
    var footer = isObj(it.footer) ? str(it.footer.text) : '';
    var action = isObj(it.action) ? it.action : {};
    if (header && header.type === 'text' && len(header.text) > 60) p.push('header text is over 60 characters');
    if (len(footer) > 60) p.push('footer is over 60 characters');
    if (it.type === 'button') {
      var buttons = arr(action.buttons);
      if (len(body) > 1024) p.push('body is over 1024 characters');
      if (buttons.length === 0) p.push('no buttons');
      if (buttons.length > 3) p.push(buttons.length + ' buttons (at most 3)');
      var seen = {};
      buttons.forEach(function (bt) {
        var r = isObj(bt) && isObj(bt.reply) ? bt.reply : {};
        if (len(r.title) === 0) p.push('a button has no title');
        if (len(r.title) > 20) p.push('button "' + str(r.title) + '" is over 20 characters');
        if (len(r.id) > 256) p.push('a button id is over 256 characters');
        if (seen[str(r.title)]) p.push('button title "' + str(r.title) + '" is not unique');
        seen[str(r.title)] = true;
      });
    } else if (it.type === 'list') {
      var sections = arr(action.sections);
      var rows = 0;
      var ids = {};
      if (len(body) > 4096) p.push('body is over 4096 characters');
      if (len(action.button) === 0) p.push('list button text is missing');
      if (len(action.button) > 20) p.push('list button text is over 20 characters');
      if (header && header.type !== 'text') p.push('a list header must be text');
      if (sections.length > 10) p.push(sections.length + ' sections (at most 10)');
      sections.forEach(function (s) {
        if (!isObj(s)) return;
        if (len(s.title) > 24) p.push('section "' + str(s.title) + '" title is over 24 characters');
        if (sections.length > 1 && len(s.title) === 0) p.push('a section has no title (required with several sections)');
        arr(s.rows).forEach(function (r) {
          if (!isObj(r)) return;
          rows++;
          if (len(r.title) > 24) p.push('row "' + str(r.title) + '" title is over 24 characters');
          if (len(r.description) > 72) p.push('row "' + str(r.title) + '" description is over 72 characters');
          if (len(r.id) > 200) p.push('a row id is over 200 characters');
          if (ids[str(r.id)]) p.push('row id "' + str(r.id) + '" is not unique');
          ids[str(r.id)] = true;
        });
      });
      if (rows > 10) p.push(rows + ' rows (at most 10 across all sections)');
      if (rows === 0) p.push('no rows');
    } else if (it.type === 'product_list') {
      var items = 0;
      arr(action.sections).forEach(function (s) { items += arr(isObj(s) && s.product_items).length; });
      if (items > 30) p.push(items + ' products (at most 30)');
      if (!header) p.push('a product list needs a header');
    }
    return p;
  }

  // ------------------------------------------------- describing outbound

  var MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'];

  function mediaOf(type, obj) {
    var o = isObj(obj) ? obj : {};
    return {
      type: type,
      link: safeHttpUrl(o.link) || safeHttpUrl(o.url),
      id: str(o.id),
      caption: str(o.caption),
      filename: str(o.filename)
    };
  }

  function headerOf(h) {
    if (!isObj(h)) return null;
    if (h.type === 'text') return str(h.text) ? { type: 'text', text: str(h.text) } : null;
    if (MEDIA_TYPES.indexOf(h.type) !== -1) return { type: 'media', media: mediaOf(h.type, h[h.type]) };
    return null;
  }

  function textOf(x) {
    return isObj(x) ? str(x.text) : '';
  }

  /** The display text of one template parameter. */
  function paramText(p) {
    if (!isObj(p)) return str(p);
    switch (p.type) {
      case 'text': return str(p.text);
      case 'payload': return str(p.payload);
      case 'coupon_code': return str(p.coupon_code);
      case 'currency': {
        var c = isObj(p.currency) ? p.currency : {};
        if (str(c.fallback_value)) return str(c.fallback_value);
        if (typeof c.amount_1000 === 'number') return str(c.code) + ' ' + (c.amount_1000 / 1000).toFixed(2);
        return '';
      }
      case 'date_time': return isObj(p.date_time) ? str(p.date_time.fallback_value) : '';
      default:
        if (MEDIA_TYPES.indexOf(p.type) !== -1) {
          var m = mediaOf(p.type, p[p.type]);
          return '[' + p.type + (m.link ? ' ' + m.link : m.id ? ' #' + m.id : '') + ']';
        }
        return str(p.text) || JSON.stringify(p);
    }
  }

  function emptyDescription() {
    return {
      kind: 'unknown',
      header: null,
      body: '',
      footer: '',
      buttons: [],        // reply buttons [{id, title}]
      list: null,         // {button, sections: [{title, rows: [{id, title, description}]}]}
      template: null,     // {name, language, header: [..], body: [..], buttons: [{subType, index, values}]}
      quickReplies: [],   // template quick replies [{payload, text}]
      products: null,     // {catalogId, single, sections: [{title, items: [retailerId]}]}
      media: null,        // {type, link, id, caption, filename}
      location: null,     // {latitude, longitude, name, address}
      cta: null,          // {text, url}
      requestLocation: false,
      reaction: null,     // {messageId, emoji}
      problems: []
    };
  }

  /**
   * What to draw for an outbound Graph API request body. `summary` is the
   * server's human-readable body, used for templates (whose text lives in
   * Meta's approved template, not in the request) and unknown shapes.
   */
  function describeOutbound(payload, summary) {
    var d = emptyDescription();
    summary = str(summary);
    if (!isObj(payload)) {
      d.kind = 'text';
      d.body = summary;
      return d;
    }
    var type = str(payload.type) || 'text';
    if (type === 'text') {
      d.kind = 'text';
      d.body = isObj(payload.text) ? str(payload.text.body) : '';
    } else if (type === 'interactive') {
      describeInteractive(isObj(payload.interactive) ? payload.interactive : {}, d, summary);
    } else if (type === 'template') {
      describeTemplate(isObj(payload.template) ? payload.template : {}, d, summary);
    } else if (MEDIA_TYPES.indexOf(type) !== -1) {
      d.kind = 'media';
      d.media = mediaOf(type, payload[type]);
      d.body = d.media.caption;
    } else if (type === 'location') {
      var l = isObj(payload.location) ? payload.location : {};
      d.kind = 'location';
      d.location = {
        latitude: Number(l.latitude), longitude: Number(l.longitude),
        name: str(l.name), address: str(l.address)
      };
    } else if (type === 'reaction') {
      var r = isObj(payload.reaction) ? payload.reaction : {};
      d.kind = 'reaction';
      d.reaction = { messageId: str(r.message_id), emoji: str(r.emoji) };
    } else {
      d.kind = 'unknown';
      d.body = summary || 'Message of type "' + type + '"';
    }
    d.problems = checkLimits(payload);
    return d;
  }

  function describeInteractive(it, d, summary) {
    var action = isObj(it.action) ? it.action : {};
    d.header = headerOf(it.header);
    d.body = textOf(it.body);
    d.footer = textOf(it.footer);
    switch (it.type) {
      case 'button':
        d.kind = 'buttons';
        d.buttons = arr(action.buttons).map(function (b) {
          var r = isObj(b) && isObj(b.reply) ? b.reply : {};
          return { id: str(r.id), title: str(r.title) };
        });
        break;
      case 'list':
        d.kind = 'list';
        d.list = {
          button: str(action.button) || 'Options',
          sections: arr(action.sections).map(function (s) {
            s = isObj(s) ? s : {};
            return {
              title: str(s.title),
              rows: arr(s.rows).map(function (r) {
                r = isObj(r) ? r : {};
                return { id: str(r.id), title: str(r.title), description: str(r.description) };
              })
            };
          })
        };
        break;
      case 'product':
        d.kind = 'product';
        d.products = {
          catalogId: str(action.catalog_id),
          single: true,
          sections: [{ title: '', items: [str(action.product_retailer_id)] }]
        };
        break;
      case 'product_list':
        d.kind = 'product_list';
        d.products = {
          catalogId: str(action.catalog_id),
          single: false,
          sections: arr(action.sections).map(function (s) {
            s = isObj(s) ? s : {};
            return {
              title: str(s.title),
              items: arr(s.product_items).map(function (p) {
                return isObj(p) ? str(p.product_retailer_id) : str(p);
              })
            };
          })
        };
        break;
      case 'cta_url': {
        var prm = isObj(action.parameters) ? action.parameters : {};
        d.kind = 'cta_url';
        d.cta = { text: str(prm.display_text) || 'Open', url: safeHttpUrl(prm.url), rawUrl: str(prm.url) };
        break;
      }
      case 'location_request_message':
        d.kind = 'location_request';
        d.requestLocation = true;
        break;
      default:
        d.kind = 'unknown';
        if (!d.body) d.body = summary || 'Interactive message of type "' + str(it.type) + '"';
    }
  }

  function describeTemplate(t, d, summary) {
    var lang = isObj(t.language) ? str(t.language.code) : str(t.language);
    d.kind = 'template';
    d.body = summary;
    d.template = { name: str(t.name), language: lang, header: [], body: [], buttons: [] };
    arr(t.components).forEach(function (c) {
      if (!isObj(c)) return;
      var kind = str(c.type).toLowerCase();
      var params = arr(c.parameters);
      if (kind === 'header') {
        d.template.header = params.map(paramText);
        params.forEach(function (p) {
          if (isObj(p) && MEDIA_TYPES.indexOf(p.type) !== -1) {
            d.header = { type: 'media', media: mediaOf(p.type, p[p.type]) };
          }
        });
      } else if (kind === 'body') {
        d.template.body = params.map(paramText);
      } else if (kind === 'button') {
        var sub = str(c.sub_type).toLowerCase();
        if (sub === 'quick_reply') {
          var first = isObj(params[0]) ? params[0] : {};
          var payload = str(first.payload) || str(first.text);
          // The button's label lives in the approved template, not in the
          // request; a non-standard `text` next to the payload is honoured.
          d.quickReplies.push({ payload: payload, text: str(first.text) || payload, index: str(c.index) });
        } else {
          d.template.buttons.push({ subType: sub, index: str(c.index), values: params.map(paramText) });
        }
      }
    });
  }

  // -------------------------------------------------- describing inbound

  /** What to draw for an inbound (customer) message object. */
  function describeInbound(msg, summary) {
    var d = { kind: 'unknown', text: '', description: '', location: null, media: null, contextId: '', items: [] };
    summary = str(summary);
    if (!isObj(msg)) {
      d.kind = 'text';
      d.text = summary;
      return d;
    }
    if (isObj(msg.context)) d.contextId = str(msg.context.id);
    var type = str(msg.type);
    if (type === 'text') {
      d.kind = 'text';
      d.text = isObj(msg.text) ? str(msg.text.body) : '';
    } else if (type === 'interactive') {
      var it = isObj(msg.interactive) ? msg.interactive : {};
      if (it.type === 'button_reply' && isObj(it.button_reply)) {
        d.kind = 'button_reply';
        d.text = str(it.button_reply.title);
        d.replyId = str(it.button_reply.id);
      } else if (it.type === 'list_reply' && isObj(it.list_reply)) {
        d.kind = 'list_reply';
        d.text = str(it.list_reply.title);
        d.description = str(it.list_reply.description);
        d.replyId = str(it.list_reply.id);
      } else {
        d.text = summary || 'Interactive reply';
      }
    } else if (type === 'button') {
      var b = isObj(msg.button) ? msg.button : {};
      d.kind = 'button';
      d.text = str(b.text) || str(b.payload);
      d.replyId = str(b.payload);
    } else if (type === 'location') {
      var l = isObj(msg.location) ? msg.location : {};
      d.kind = 'location';
      d.location = {
        latitude: Number(l.latitude), longitude: Number(l.longitude),
        name: str(l.name), address: str(l.address)
      };
    } else if (MEDIA_TYPES.indexOf(type) !== -1) {
      d.kind = 'media';
      d.media = mediaOf(type, msg[type]);
      d.text = d.media.caption;
    } else if (type === 'reaction') {
      d.kind = 'reaction';
      d.text = isObj(msg.reaction) ? str(msg.reaction.emoji) : '';
    } else if (type === 'order') {
      var o = isObj(msg.order) ? msg.order : {};
      d.kind = 'order';
      d.text = str(o.text);
      d.items = arr(o.product_items).map(function (p) {
        p = isObj(p) ? p : {};
        return { id: str(p.product_retailer_id), quantity: str(p.quantity), price: str(p.item_price), currency: str(p.currency) };
      });
    } else {
      d.text = summary || 'Message of type "' + type + '"';
    }
    return d;
  }

  // --------------------------------------------- building inbound messages

  function contextFor(businessDigits, wamid) {
    return { from: digitsOnly(businessDigits), id: str(wamid) };
  }

  function textMessage(body) {
    return { type: 'text', text: { body: str(body) } };
  }

  function buttonReplyMessage(button, context) {
    return {
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: str(button.id), title: str(button.title) } },
      context: context
    };
  }

  function listReplyMessage(row, context) {
    var reply = { id: str(row.id), title: str(row.title) };
    if (str(row.description)) reply.description = str(row.description);
    return { type: 'interactive', interactive: { type: 'list_reply', list_reply: reply }, context: context };
  }

  function templateButtonMessage(quickReply, context) {
    return {
      type: 'button',
      button: { payload: str(quickReply.payload), text: str(quickReply.text) || str(quickReply.payload) },
      context: context
    };
  }

  function locationMessage(loc) {
    var l = { latitude: Number(loc.latitude), longitude: Number(loc.longitude) };
    if (str(loc.name).trim()) l.name = str(loc.name).trim();
    if (str(loc.address).trim()) l.address = str(loc.address).trim();
    return { type: 'location', location: l };
  }

  /** "6.45, 3.39" or "6.45 3.39" → {latitude, longitude}, or null. */
  function parseLatLong(input) {
    var m = /^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(str(input));
    if (!m) return null;
    var lat = Number(m[1]);
    var lng = Number(m[2]);
    if (!(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180)) return null;
    return { latitude: lat, longitude: lng };
  }

  // ------------------------------------------------------------- phones

  var COUNTRIES = [
    {
      cc: '234', iso: 'NG', name: 'Nigeria',
      place: { latitude: 6.4541, longitude: 3.3947, name: 'Balogun Market', address: 'Lagos Island, Lagos' },
      names: ['Ada', 'Chidi', 'Funke', 'Emeka', 'Ngozi', 'Tunde', 'Amaka', 'Bayo', 'Kemi', 'Ifeanyi'],
      // 234 + 10 national digits, mobile prefixes of the big networks.
      make: function (rnd) {
        var pre = pick(['703', '706', '803', '806', '810', '813', '814', '816', '903', '906',
          '802', '808', '812', '701', '708', '805', '807', '815', '811', '905'], rnd);
        return '234' + pre + randDigits(7, rnd, true);
      }
    },
    {
      cc: '254', iso: 'KE', name: 'Kenya',
      place: { latitude: -1.2833, longitude: 36.8167, name: 'Gikomba Market', address: 'Nairobi' },
      names: ['Wanjiru', 'Otieno', 'Achieng', 'Kamau', 'Njeri', 'Mwangi', 'Akinyi', 'Kiprop', 'Wairimu', 'Baraka'],
      make: function (rnd) {
        return '254' + pick(['70', '71', '72', '79'], rnd) + randDigits(7, rnd, true);
      }
    },
    {
      cc: '54', iso: 'AR', name: 'Argentina',
      place: { latitude: -34.6037, longitude: -58.3816, name: 'Obelisco', address: 'Av. 9 de Julio, Buenos Aires' },
      names: ['Sofía', 'Martín', 'Valentina', 'Mateo', 'Camila', 'Santiago', 'Lucía', 'Joaquín', 'Julieta', 'Tomás'],
      // WhatsApp sends Argentine mobiles as 54 9 + area + number (10 digits).
      make: function (rnd) {
        var area = pick(['11', '11', '11', '351', '341', '261'], rnd);
        return '549' + area + String(2 + Math.floor(rnd() * 5)) + randDigits(10 - area.length - 1, rnd, false);
      }
    }
  ];

  function pick(list, rnd) {
    return list[Math.floor(rnd() * list.length) % list.length];
  }

  function randDigits(n, rnd, avoidZeroFirst) {
    var s = '';
    for (var i = 0; i < n; i++) {
      var d = Math.floor(rnd() * 10) % 10;
      if (i === 0 && avoidZeroFirst && d === 0) d = 1;
      s += d;
    }
    return s;
  }

  /** The country of a display number such as "+234 803 000 0001", or null. */
  function countryOf(displayNumber) {
    var digits = digitsOnly(displayNumber);
    for (var i = 0; i < COUNTRIES.length; i++) {
      if (digits.indexOf(COUNTRIES[i].cc) === 0) return COUNTRIES[i];
    }
    return null;
  }

  /**
   * A random plausible customer wa_id in the business's country. Unknown
   * countries get the business number with its last 7 digits randomised.
   */
  function randomCustomerNumber(displayNumber, rnd) {
    rnd = rnd || Math.random;
    var c = countryOf(displayNumber);
    if (c) return c.make(rnd);
    var digits = digitsOnly(displayNumber);
    if (digits.length < 8) return COUNTRIES[0].make(rnd);
    return digits.slice(0, digits.length - 7) + randDigits(7, rnd, true);
  }

  function randomCustomerName(displayNumber, rnd) {
    rnd = rnd || Math.random;
    var c = countryOf(displayNumber) || COUNTRIES[0];
    return pick(c.names, rnd);
  }

  function defaultPlace(displayNumber) {
    var c = countryOf(displayNumber) || COUNTRIES[0];
    return Object.assign({}, c.place);
  }

  /** A WhatsApp id: digits, country code first, 8–15 digits. */
  function isValidWaId(s) {
    return /^[1-9]\d{7,14}$/.test(str(s));
  }

  // ----------------------------------------------------------- statuses

  var STATUS = {
    queued: { icon: '\u{1F552}', label: 'Queued', cls: 'queued' },
    sending: { icon: '\u{1F552}', label: 'Sending', cls: 'queued' },
    sent: { icon: '\u2713', label: 'Sent', cls: 'sent' },
    delivered: { icon: '\u2713\u2713', label: 'Delivered', cls: 'delivered' },
    read: { icon: '\u2713\u2713', label: 'Read', cls: 'read' },
    failed: { icon: '!', label: 'Failed', cls: 'failed' },
    blocked: { icon: '\u2298', label: 'Blocked', cls: 'failed' },
    received: { icon: '\u2713', label: 'Received by the server', cls: 'sent' }
  };

  function statusInfo(status) {
    return STATUS[str(status)] || { icon: '', label: str(status), cls: 'unknown' };
  }

  /** A one-line explanation of a failed or blocked message. */
  function errorText(err) {
    if (err == null) return '';
    if (!isObj(err)) return str(err);
    var parts = [];
    var code = str(err.code);
    var title = str(err.title) || str(err.message);
    if (title) parts.push(title);
    var details = str(err.details) || (isObj(err.error_data) ? str(err.error_data.details) : '') || str(err.reason);
    if (details && details !== title) parts.push(details);
    var s = parts.join(': ');
    return code ? '(#' + code + ') ' + s : s;
  }

  /** The message of an API error envelope {"error":{code,message,fields}}. */
  function apiErrorText(body, httpStatus) {
    var e = isObj(body) && isObj(body.error) ? body.error : null;
    if (!e) return 'HTTP ' + str(httpStatus) + (typeof body === 'string' && body ? ': ' + body.slice(0, 200) : '');
    var s = str(e.message) || str(e.code) || 'Error';
    if (isObj(e.fields)) {
      var f = Object.keys(e.fields).map(function (k) {
        var v = e.fields[k];
        var t = Array.isArray(v) ? v.map(str).filter(Boolean).join(', ') : isObj(v) ? str(v.message) || JSON.stringify(v) : str(v);
        return k + (t ? ': ' + t : '');
      });
      if (f.length) s += ' (' + f.join('; ') + ')';
    }
    return s;
  }

  // ------------------------------------------------------ thread store

  function timeOf(m) {
    var t = Date.parse(str(m && m.created_at));
    return isNaN(t) ? Infinity : t;
  }

  /** Where a new message goes in `list` (sorted by created_at, stable). */
  function insertIndex(list, msg) {
    var t = timeOf(msg);
    var i = list.length;
    while (i > 0 && timeOf(list[i - 1]) > t) i--;
    return i;
  }

  /**
   * Applies one poll's messages to `list` (mutated, sorted oldest first).
   * Returns [{op: 'add'|'update', msg, index}] in application order.
   * `hiddenBefore` (ms) drops messages created at or before it (reset view).
   */
  function applyMessages(list, incoming, hiddenBefore) {
    var ops = [];
    arr(incoming).forEach(function (m) {
      if (!isObj(m) || m.id == null) return;
      var id = str(m.id);
      for (var i = 0; i < list.length; i++) {
        if (str(list[i].id) === id) {
          list[i] = m;
          ops.push({ op: 'update', msg: m, index: i });
          return;
        }
      }
      if (hiddenBefore && timeOf(m) <= hiddenBefore) return;
      var at = insertIndex(list, m);
      list.splice(at, 0, m);
      ops.push({ op: 'add', msg: m, index: at });
    });
    return ops;
  }

  var Pure = {
    parseRich: parseRich,
    findUrls: findUrls,
    safeHttpUrl: safeHttpUrl,
    checkLimits: checkLimits,
    describeOutbound: describeOutbound,
    describeInbound: describeInbound,
    contextFor: contextFor,
    textMessage: textMessage,
    buttonReplyMessage: buttonReplyMessage,
    listReplyMessage: listReplyMessage,
    templateButtonMessage: templateButtonMessage,
    locationMessage: locationMessage,
    parseLatLong: parseLatLong,
    countryOf: countryOf,
    randomCustomerNumber: randomCustomerNumber,
    randomCustomerName: randomCustomerName,
    defaultPlace: defaultPlace,
    isValidWaId: isValidWaId,
    digitsOnly: digitsOnly,
    statusInfo: statusInfo,
    errorText: errorText,
    apiErrorText: apiErrorText,
    applyMessages: applyMessages,
    insertIndex: insertIndex
  };

  if (typeof module !== 'undefined' && module.exports) module.exports = Pure;
  if (typeof document === 'undefined') return;

  // =================================================================== DOM

  var STORE_KEY = 'sokoni.sandbox.chat';
  var HIDDEN_KEY = 'sokoni.sandbox.hidden.';
  var POLL_MS = 1000;
  var POLL_HIDDEN_MS = 4000;
  var POLL_MAX_BACKOFF_MS = 8000;

  var $ = function (id) { return document.getElementById(id); };

  /** createElement with attributes; children are nodes or strings (text). */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v == null || v === false) return;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.slice(0, 2) === 'on' && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (k === 'href') {
          var safe = safeHttpUrl(v);
          if (safe) el.setAttribute('href', safe);
        } else el.setAttribute(k, v === true ? '' : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, c) {
    if (c == null || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(el, x); }); return; }
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }

  function rich(text) {
    var frag = document.createDocumentFragment();
    parseRich(text).forEach(function (s) {
      var node = s.href
        ? h('a', { href: s.href, target: '_blank', rel: 'noopener noreferrer nofollow', text: s.text })
        : document.createTextNode(s.text);
      if (s.mono) node = h('code', null, node);
      if (s.strike) node = h('s', null, node);
      if (s.italic) node = h('em', null, node);
      if (s.bold) node = h('strong', null, node);
      frag.appendChild(node);
    });
    return frag;
  }

  function extLink(url, label) {
    return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow', text: label || url });
  }

  // --------------------------------------------------------------- state

  var state = {
    numbers: [],
    biz: null,          // the selected number object
    waId: '',
    name: '',
    messages: [],       // server messages, oldest first
    els: new Map(),     // id -> element
    pending: [],        // {localId, message, wamid, error, el}
    cursor: '',
    gen: 0,             // bumps when the chat changes; stale responses are dropped
    timer: null,
    inFlight: false,
    kickAgain: false,
    backoff: POLL_MS,
    hiddenBefore: 0,
    localSeq: 0,
    replyTo: null       // a business message the next text replies to
  };

  function chatKey() {
    return state.biz ? state.biz.phone_number_id + '.' + state.waId : '';
  }

  function bizDigits() {
    return state.biz ? digitsOnly(state.biz.display_phone_number) : '';
  }

  // -------------------------------------------------------------- banner

  function showBanner(text, kind, retry) {
    var b = $('banner');
    b.textContent = '';
    b.dataset.poll = '';
    b.className = 'banner ' + (kind || 'error');
    append(b, h('span', { class: 'banner-text', text: text }));
    if (retry) append(b, h('button', { type: 'button', class: 'link', text: 'Retry', onclick: retry }));
    append(b, h('button', {
      type: 'button', class: 'icon', 'aria-label': 'Dismiss', text: '\u00D7',
      onclick: function () { hideBanner(); }
    }));
    b.hidden = false;
  }

  function hideBanner() {
    var b = $('banner');
    b.hidden = true;
    b.textContent = '';
    b.dataset.poll = '';
  }

  // ----------------------------------------------------------------- API

  // Outside `sokoni demo` the simulator's APIs need the business's login:
  // the access token is kept for this tab only.
  var TOKEN_KEY = 'sokoni.sandbox.token';

  function savedToken() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (_e) { return ''; }
  }

  function saveToken(t) {
    try {
      if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
    } catch (_e) { /* private mode: ask again next time */ }
  }

  var loginWaiters = [];

  /** Shows the login dialog; resolves once a login succeeded. */
  function askLogin() {
    return new Promise(function (resolve) {
      loginWaiters.push(resolve);
      $('login-error').hidden = true;
      openDialog($('login-dialog'));
      $('login-email').focus();
    });
  }

  function submitLogin(ev) {
    ev.preventDefault();
    var body = { email: $('login-email').value.trim(), password: $('login-password').value };
    api('POST', '/api/v1/auth/login', body).then(function (data) {
      var t = isObj(data) ? str(data.access_token) : '';
      if (!t) throw new Error('the server sent no access token');
      saveToken(t);
      $('login-password').value = '';
      closeDialog($('login-dialog'));
      var waiters = loginWaiters;
      loginWaiters = [];
      waiters.forEach(function (w) { w(); });
    }).catch(function (e) {
      var err = $('login-error');
      err.textContent = e.message;
      err.hidden = false;
    });
  }

  function api(method, url, body) {
    var opts = { method: method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
    var token = savedToken();
    if (token && url.indexOf('/sandbox/api/') === 0) opts.headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (_e) { data = text; }
        if (res.status === 401 && url.indexOf('/sandbox/api/') === 0) {
          // Not logged in, or the access token expired: log in, then retry.
          saveToken('');
          return askLogin().then(function () { return api(method, url, body); });
        }
        if (!res.ok) {
          var err = new Error(apiErrorText(data, res.status + (res.statusText ? ' ' + res.statusText : '')));
          err.status = res.status;
          throw err;
        }
        return data;
      });
    }, function (e) {
      throw new Error('Network error: ' + (e && e.message ? e.message : 'the server did not answer'));
    });
  }

  // -------------------------------------------------------- the top bar

  function loadNumbers() {
    var sel = $('biz');
    sel.disabled = true;
    return api('GET', '/sandbox/api/numbers').then(function (data) {
      var list = isObj(data) ? arr(data.numbers) : [];
      state.numbers = list.filter(isObj);
      sel.textContent = '';
      if (!state.numbers.length) {
        append(sel, h('option', { value: '', text: 'No sandbox numbers' }));
        showBanner('The server has no sandbox WhatsApp numbers. Run `sokoni demo` or add one.', 'warn');
        return;
      }
      state.numbers.forEach(function (n) {
        var label = str(n.business_name) || str(n.display_phone_number);
        if (str(n.vertical)) label += ' \u00B7 ' + n.vertical;
        if (str(n.display_phone_number)) label += ' (' + n.display_phone_number + ')';
        append(sel, h('option', { value: str(n.phone_number_id), text: label }));
      });
      sel.disabled = false;
      restoreChoice();
    }).catch(function (e) {
      sel.textContent = '';
      append(sel, h('option', { value: '', text: 'Could not load numbers' }));
      showBanner('Loading the sandbox numbers failed: ' + e.message, 'error', function () {
        hideBanner();
        loadNumbers();
      });
    });
  }

  function readSaved() {
    var saved = {};
    try { saved = JSON.parse(localStorage.getItem(STORE_KEY) || '{}') || {}; } catch (_e) { saved = {}; }
    var q = new URLSearchParams(location.search);
    return {
      number: q.get('number') || str(saved.number),
      waId: q.has('wa_id') ? digitsOnly(q.get('wa_id')) : digitsOnly(saved.wa_id),
      name: q.has('name') ? str(q.get('name')) : str(saved.name)
    };
  }

  function restoreChoice() {
    var s = readSaved();
    var biz = state.numbers.find(function (n) {
      return str(n.phone_number_id) === s.number || (s.number && digitsOnly(n.display_phone_number) === digitsOnly(s.number));
    });
    var missing = !biz && s.number;
    if (!biz) biz = state.numbers[0];
    state.biz = biz;
    $('biz').value = str(biz.phone_number_id);
    if (!isValidWaId(s.waId)) {
      s.waId = randomCustomerNumber(biz.display_phone_number);
      if (!s.name) s.name = randomCustomerName(biz.display_phone_number);
    }
    $('waid').value = s.waId;
    $('pname').value = s.name;
    state.name = s.name;
    openChat(s.waId);
    if (missing) {
      showBanner('Number ' + s.number + ' is not a sandbox number here; showing ' +
        (str(biz.business_name) || 'the first one') + '.', 'warn');
    }
  }

  function saveChoice() {
    if (!state.biz) return;
    var choice = { number: str(state.biz.phone_number_id), wa_id: state.waId, name: state.name };
    try { localStorage.setItem(STORE_KEY, JSON.stringify(choice)); } catch (_e) { /* private mode */ }
    var q = new URLSearchParams(location.search);
    q.set('number', choice.number);
    q.set('wa_id', choice.wa_id);
    if (choice.name) q.set('name', choice.name); else q.delete('name');
    var url = location.pathname + '?' + q.toString() + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(null, '', url);
  }

  function renderChatHead() {
    var b = state.biz;
    $('head-name').textContent = b ? str(b.business_name) || str(b.display_phone_number) : 'Sokoni sandbox';
    var sub = [];
    if (b && str(b.display_phone_number)) sub.push(b.display_phone_number);
    if (b && str(b.vertical)) sub.push(b.vertical);
    if (b && str(b.locale)) sub.push(b.locale);
    $('head-sub').textContent = sub.join(' \u00B7 ');
    $('avatar').textContent = b ? (Array.from(str(b.business_name) || '?')[0] || '?').toUpperCase() : 'S';
    $('me').textContent = state.waId ? 'You are +' + state.waId + (state.name ? ' (' + state.name + ')' : '') : '';
  }

  function onBizChange() {
    var id = $('biz').value;
    var biz = state.numbers.find(function (n) { return str(n.phone_number_id) === id; });
    if (!biz) return;
    state.biz = biz;
    // A customer from another country would not be plausible; draw a new one.
    var c = countryOf(biz.display_phone_number);
    if (c && state.waId.indexOf(c.cc) !== 0) {
      newCustomer();
      return;
    }
    openChat(state.waId);
  }

  function onWaIdChange() {
    var input = $('waid');
    var d = digitsOnly(input.value);
    input.value = d;
    if (d === state.waId) return;
    openChat(d);
  }

  function onNameChange() {
    state.name = $('pname').value.trim();
    saveChoice();
    renderChatHead();
  }

  function newCustomer() {
    if (!state.biz) return;
    var n = state.biz.display_phone_number;
    $('waid').value = randomCustomerNumber(n);
    $('pname').value = randomCustomerName(n);
    state.name = $('pname').value;
    openChat($('waid').value);
  }

  // ----------------------------------------------------- opening a chat

  function openChat(waId) {
    state.gen++;
    clearTimeout(state.timer);
    state.timer = null;
    state.inFlight = false;
    state.kickAgain = false;
    state.waId = waId;
    state.messages = [];
    state.els = new Map();
    state.pending = [];
    state.cursor = '';
    state.backoff = POLL_MS;
    $('thread').textContent = '';
    $('pending').textContent = '';
    hideBanner();
    var valid = isValidWaId(waId);
    var hint = $('waid-hint');
    hint.hidden = valid;
    $('waid').setAttribute('aria-invalid', valid ? 'false' : 'true');
    setComposerEnabled(valid && !!state.biz);
    renderChatHead();
    if (!state.biz || !valid) {
      renderEmpty();
      return;
    }
    saveChoice();
    state.hiddenBefore = 0;
    try { state.hiddenBefore = Number(localStorage.getItem(HIDDEN_KEY + chatKey())) || 0; } catch (_e) { /* ignore */ }
    renderEmpty();
    poll(state.gen);
  }

  function setComposerEnabled(on) {
    $('text').disabled = !on;
    $('send').disabled = !on;
    $('loc').disabled = !on;
  }

  function renderEmpty() {
    var el = $('empty');
    var has = state.messages.length > 0 || state.pending.length > 0;
    el.hidden = has;
    el.textContent = '';
    if (has) return;
    if (!state.biz) {
      el.textContent = 'Pick a business to start.';
    } else if (!isValidWaId(state.waId)) {
      el.textContent = 'Enter the customer\u2019s WhatsApp number to start.';
    } else {
      append(el, h('p', { text: 'Write to ' + (str(state.biz.business_name) || 'the business') + ' as +' + state.waId + '.' }));
      append(el, h('p', { class: 'muted', text: 'Messages go through the real webhook intake; replies appear here.' }));
    }
    if (state.hiddenBefore) {
      append(el, h('p', null, h('button', { type: 'button', class: 'link', text: 'Show earlier messages', onclick: showAll })));
    }
  }

  function showAll() {
    try { localStorage.removeItem(HIDDEN_KEY + chatKey()); } catch (_e) { /* ignore */ }
    openChat(state.waId);
  }

  function resetView() {
    if (!state.biz) return;
    var newest = 0;
    state.messages.forEach(function (m) { var t = timeOf(m); if (t !== Infinity && t > newest) newest = t; });
    if (!newest) newest = Date.now();
    try { localStorage.setItem(HIDDEN_KEY + chatKey(), String(newest)); } catch (_e) { /* ignore */ }
    state.hiddenBefore = newest;
    state.messages = [];
    state.els = new Map();
    $('thread').textContent = '';
    state.pending.forEach(function (p) { if (p.el) p.el.remove(); });
    state.pending = [];
    renderEmpty();
  }

  // ------------------------------------------------------------ polling

  function schedule(gen, ms) {
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { poll(gen); }, ms);
  }

  function kick() {
    if (state.inFlight) { state.kickAgain = true; return; }
    poll(state.gen);
  }

  function poll(gen) {
    if (gen !== state.gen || !state.biz || !isValidWaId(state.waId)) return;
    clearTimeout(state.timer);
    state.inFlight = true;
    var url = '/sandbox/api/thread?phone_number_id=' + encodeURIComponent(state.biz.phone_number_id) +
      '&wa_id=' + encodeURIComponent(state.waId) + '&after=' + encodeURIComponent(state.cursor);
    api('GET', url).then(function (data) {
      if (gen !== state.gen) return;
      state.inFlight = false;
      if ($('banner').dataset.poll) hideBanner();
      state.backoff = POLL_MS;
      if (isObj(data)) {
        receive(arr(data.messages));
        if (data.cursor != null && str(data.cursor) !== '') state.cursor = str(data.cursor);
      }
      next(gen);
    }).catch(function (e) {
      if (gen !== state.gen) return;
      state.inFlight = false;
      state.backoff = Math.min(state.backoff * 2, POLL_MAX_BACKOFF_MS);
      showBanner('Updating the thread failed: ' + e.message + ' (retrying)', 'error', function () { hideBanner(); kick(); });
      $('banner').dataset.poll = '1';
      next(gen);
    });
  }

  function next(gen) {
    if (state.kickAgain) {
      state.kickAgain = false;
      poll(gen);
      return;
    }
    schedule(gen, document.hidden ? Math.max(POLL_HIDDEN_MS, state.backoff) : state.backoff);
  }

  function receive(msgs) {
    if (!msgs.length) return;
    var stick = nearBottom();
    var ops = applyMessages(state.messages, msgs, state.hiddenBefore);
    ops.forEach(function (op) {
      var el = renderMessage(op.msg);
      var id = str(op.msg.id);
      if (op.op === 'update') {
        var old = state.els.get(id);
        if (old && old.parentNode) old.replaceWith(el); else $('thread').appendChild(el);
      } else {
        var after = state.messages[op.index + 1];
        var ref = after ? state.els.get(str(after.id)) : null;
        $('thread').insertBefore(el, ref && ref.parentNode ? ref : null);
        dropPending(op.msg.wamid);
      }
      state.els.set(id, el);
    });
    renderEmpty();
    if (stick && ops.some(function (o) { return o.op === 'add'; })) scrollToBottom();
  }

  function dropPending(wamid) {
    if (!wamid) return;
    state.pending = state.pending.filter(function (p) {
      if (p.wamid && p.wamid === wamid) { if (p.el) p.el.remove(); return false; }
      return true;
    });
  }

  function nearBottom() {
    var s = $('scroller');
    return s.scrollHeight - s.scrollTop - s.clientHeight < 120;
  }

  function scrollToBottom() {
    var s = $('scroller');
    s.scrollTop = s.scrollHeight;
  }

  // ------------------------------------------------------------ sending

  function send(message) {
    if (!state.biz || !isValidWaId(state.waId)) {
      showBanner('Pick a business and a valid customer number first.', 'warn');
      return Promise.resolve(null);
    }
    var gen = state.gen;
    var p = { localId: 'local-' + (++state.localSeq), message: message, wamid: null, error: null, el: null };
    state.pending.push(p);
    drawPending(p);
    renderEmpty();
    scrollToBottom();
    var body = {
      phone_number_id: str(state.biz.phone_number_id),
      from: state.waId,
      profile_name: state.name,
      message: message
    };
    return api('POST', '/sandbox/api/inbound', body).then(function (res) {
      if (gen !== state.gen) return null;
      p.wamid = isObj(res) ? str(res.wamid) : '';
      // The thread may already hold it if a poll raced the response.
      if (p.wamid && state.messages.some(function (m) { return m.wamid === p.wamid; })) {
        dropPending(p.wamid);
      } else {
        drawPending(p);
      }
      kick();
      return p.wamid;
    }).catch(function (e) {
      if (gen !== state.gen) return null;
      p.error = e.message;
      drawPending(p);
      showBanner('Sending failed: ' + e.message, 'error');
      return null;
    });
  }

  function drawPending(p) {
    var status = p.error ? 'failed' : p.wamid ? 'received' : 'sending';
    var msg = { id: p.localId, direction: 'inbound', status: status, created_at: new Date().toISOString(), payload: p.message };
    var el = renderMessage(msg, p.error ? { error: p.error, retry: function () { retryPending(p); } } : null);
    if (p.el && p.el.parentNode) p.el.replaceWith(el); else $('pending').appendChild(el);
    p.el = el;
  }

  function retryPending(p) {
    if (p.el) p.el.remove();
    state.pending = state.pending.filter(function (x) { return x !== p; });
    send(p.message);
  }

  function sendText() {
    var ta = $('text');
    var body = ta.value;
    if (!body.trim()) return;
    ta.value = '';
    autoGrow();
    var m = textMessage(body);
    if (state.replyTo) m.context = replyContext(state.replyTo);
    setReplyTo(null);
    send(m);
  }

  /** Quotes a business message above the composer: the next text replies to it. */
  function setReplyTo(msg) {
    state.replyTo = msg;
    $('replying').hidden = !msg;
    $('replying-text').textContent = msg ? quoteOf(msg) : '';
    if (msg) $('text').focus();
  }

  function replyContext(msg) {
    return contextFor(bizDigits(), msg.wamid);
  }

  // -------------------------------------------------------- rendering

  function timeLabel(iso) {
    var t = Date.parse(str(iso));
    if (isNaN(t)) return '';
    var d = new Date(t);
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  /** A message bubble. `local` carries {error, retry} for unsent customer messages. */
  function renderMessage(msg, local) {
    var outbound = msg.direction === 'outbound';
    var bubble = outbound ? renderOutbound(msg) : renderInbound(msg);
    var st = statusInfo(msg.status);
    var failed = msg.status === 'failed' || msg.status === 'blocked';
    var meta = h('div', { class: 'meta' },
      h('time', { datetime: str(msg.created_at), title: str(msg.created_at), text: timeLabel(msg.created_at) }),
      st.icon ? h('span', { class: 'tick ' + st.cls, title: st.label, 'aria-label': st.label, role: 'img', text: st.icon }) : null);
    append(bubble, meta);
    if (failed && outbound) {
      append(bubble, h('p', { class: 'err', role: 'note' },
        h('strong', { text: st.label + '. ' }),
        errorText(msg.error) || (msg.status === 'blocked' ? 'Not sent by the engine.' : 'Meta rejected this message.')));
    }
    if (local && local.error) {
      append(bubble, h('p', { class: 'err', role: 'alert' }, h('strong', { text: 'Not sent. ' }), local.error,
        ' ', h('button', { type: 'button', class: 'link', text: 'Retry', onclick: local.retry })));
    }
    if (outbound && str(msg.wamid) && !failed) {
      append(bubble, h('button', {
        type: 'button', class: 'link reply-btn', text: '\u21A9\uFE0E Reply',
        'aria-label': 'Reply to this message', onclick: function () { setReplyTo(msg); }
      }));
    }
    if (msg.payload != null) {
      append(bubble, h('details', { class: 'raw' },
        h('summary', { text: outbound ? 'Graph body' : 'Message JSON' }),
        h('pre', { text: JSON.stringify(msg.payload, null, 2) })));
    }
    return h('div', {
      class: 'row ' + (outbound ? 'biz' : 'cust') + (failed ? ' failed' : ''),
      'data-id': str(msg.id)
    }, bubble);
  }

  function renderHeader(hd) {
    if (!hd) return null;
    if (hd.type === 'text') return h('div', { class: 'b-header' }, rich(hd.text));
    return h('div', { class: 'b-header' }, renderMedia(hd.media));
  }

  var MEDIA_ICON = { image: '\u{1F5BC}\uFE0F', video: '\u{1F3AC}', audio: '\u{1F3B5}', document: '\u{1F4C4}', sticker: '\u{1F642}' };

  function renderMedia(m) {
    var label = m.filename || m.type;
    var card = h('div', { class: 'media' },
      h('span', { class: 'media-icon', 'aria-hidden': 'true', text: MEDIA_ICON[m.type] || '\u{1F4CE}' }),
      h('span', { class: 'media-label' },
        m.link ? extLink(m.link, label) : h('span', { text: label + (m.id ? ' (media id ' + m.id + ')' : ' (no link)') })));
    if (m.type === 'image' && m.link) {
      var img = h('img', { src: m.link, alt: m.caption || 'image', loading: 'lazy', referrerpolicy: 'no-referrer' });
      img.addEventListener('error', function () { img.remove(); });
      return h('div', null, img, card);
    }
    return card;
  }

  function renderLocation(l) {
    var ok = isFinite(l.latitude) && isFinite(l.longitude);
    var url = ok ? 'https://www.openstreetmap.org/?mlat=' + l.latitude + '&mlon=' + l.longitude + '#map=16/' + l.latitude + '/' + l.longitude : null;
    return h('div', { class: 'loc' },
      h('span', { class: 'loc-pin', 'aria-hidden': 'true', text: '\u{1F4CD}' }),
      h('div', null,
        l.name ? h('div', { class: 'loc-name', text: l.name }) : null,
        l.address ? h('div', { class: 'muted', text: l.address }) : null,
        h('div', { class: 'muted small' }, url ? extLink(url, l.latitude + ', ' + l.longitude) : 'invalid coordinates')));
  }

  function renderOutbound(msg) {
    var d = describeOutbound(msg.payload, msg.body);
    var b = h('div', { class: 'bubble' });
    var tappable = !!msg.wamid && msg.status !== 'failed' && msg.status !== 'blocked';
    var whyNot = msg.wamid ? 'The customer never received this message' : 'Not sent yet (no wamid)';

    append(b, renderHeader(d.header));
    if (d.kind === 'template' && d.template) {
      append(b, h('div', { class: 'tpl-name' },
        h('span', { class: 'chip', text: 'template' }), ' ', h('code', { text: d.template.name || '?' }),
        d.template.language ? ' \u00B7 ' + d.template.language : ''));
    }
    if (d.kind === 'media' && d.media) append(b, renderMedia(d.media));
    if (d.body) append(b, h('div', { class: 'text' }, rich(d.body)));
    if (d.kind === 'template' && d.template) append(b, renderTemplateParams(d.template));
    if (d.kind === 'location' && d.location) append(b, renderLocation(d.location));
    if (d.kind === 'reaction' && d.reaction) {
      append(b, h('div', { class: 'text' }, 'Reacted ', h('span', { class: 'emoji', text: d.reaction.emoji || '(removed)' }),
        d.reaction.messageId ? h('span', { class: 'muted small', text: ' to ' + d.reaction.messageId }) : null));
    }
    if (d.products) append(b, renderProducts(d.products));
    if (d.footer) append(b, h('div', { class: 'b-footer', text: d.footer }));
    if (d.problems.length) {
      append(b, h('div', { class: 'limits', role: 'note' },
        h('strong', { text: '\u26A0 Meta would likely reject this: ' }), d.problems.join('; ') + '.'));
    }

    var actions = h('div', { class: 'actions' });
    d.buttons.forEach(function (bt) {
      append(actions, actionButton('\u21A9\uFE0E ' + bt.title, tappable, whyNot, function (ev) {
        ev.currentTarget.classList.add('chosen');
        send(buttonReplyMessage(bt, replyContext(msg)));
      }));
    });
    d.quickReplies.forEach(function (q) {
      append(actions, actionButton('\u21A9\uFE0E ' + q.text, tappable, whyNot, function (ev) {
        ev.currentTarget.classList.add('chosen');
        send(templateButtonMessage(q, replyContext(msg)));
      }));
    });
    if (d.list) {
      append(actions, actionButton('\u2630 ' + d.list.button, tappable, whyNot, function () {
        openListSheet(d, msg);
      }));
    }
    if (d.cta) {
      append(actions, d.cta.url
        ? h('a', { class: 'action', href: d.cta.url, target: '_blank', rel: 'noopener noreferrer nofollow', text: '\u2197 ' + d.cta.text })
        : h('span', { class: 'action disabled', title: 'Not an http(s) URL: ' + d.cta.rawUrl, text: '\u2197 ' + d.cta.text }));
    }
    if (d.requestLocation) {
      append(actions, actionButton('\u{1F4CD} Send location', tappable, whyNot, function () { openLocationDialog(); }));
    }
    if (actions.childNodes.length) append(b, actions);
    return b;
  }

  function actionButton(label, enabled, whyNot, onclick) {
    return h('button', {
      type: 'button', class: 'action', text: label, disabled: !enabled,
      title: enabled ? null : whyNot, onclick: enabled ? onclick : null
    });
  }

  function renderTemplateParams(t) {
    var rows = [];
    t.header.forEach(function (v, i) { rows.push(['header {{' + (i + 1) + '}}', v]); });
    t.body.forEach(function (v, i) { rows.push(['{{' + (i + 1) + '}}', v]); });
    t.buttons.forEach(function (bt) {
      rows.push([(bt.subType || 'button') + ' button ' + bt.index, bt.values.join(', ')]);
    });
    if (!rows.length) return null;
    return h('dl', { class: 'params' }, rows.map(function (r) {
      return [h('dt', { text: r[0] }), h('dd', { text: r[1] })];
    }));
  }

  function renderProducts(p) {
    var box = h('div', { class: 'products' },
      h('div', { class: 'muted small', text: (p.single ? 'Product' : 'Catalog') + (p.catalogId ? ' \u00B7 catalog ' + p.catalogId : '') }));
    p.sections.forEach(function (s) {
      if (s.title) append(box, h('div', { class: 'p-section', text: s.title }));
      append(box, h('ul', { class: 'p-items' }, s.items.map(function (sku) {
        return h('li', null, h('span', { 'aria-hidden': 'true', text: '\u{1F6CD}\uFE0F ' }), h('code', { text: sku || '(no retailer id)' }));
      })));
    });
    return box;
  }

  function renderInbound(msg) {
    var d = describeInbound(msg.payload, msg.body);
    var b = h('div', { class: 'bubble' });
    if (d.contextId) {
      var ref = state.messages.find(function (m) { return m.wamid && m.wamid === d.contextId; });
      var quoted = ref ? quoteOf(ref) : 'a message';
      append(b, h('div', { class: 'quote', title: d.contextId, text: quoted }));
    }
    if (d.kind === 'button_reply' || d.kind === 'button' || d.kind === 'list_reply') {
      append(b, h('div', { class: 'text' }, h('span', { class: 'reply-mark', 'aria-label': 'Tapped', text: '\u21A9\uFE0E ' }), d.text));
      if (d.description) append(b, h('div', { class: 'muted small', text: d.description }));
    } else if (d.kind === 'location' && d.location) {
      append(b, renderLocation(d.location));
    } else if (d.kind === 'media' && d.media) {
      append(b, renderMedia(d.media));
      if (d.text) append(b, h('div', { class: 'text' }, rich(d.text)));
    } else if (d.kind === 'order') {
      append(b, h('div', { class: 'text', text: '\u{1F6D2} Order' }));
      append(b, h('ul', { class: 'p-items' }, d.items.map(function (it) {
        return h('li', { text: it.quantity + ' \u00D7 ' + it.id + (it.price ? ' @ ' + it.price + ' ' + it.currency : '') });
      })));
      if (d.text) append(b, h('div', { class: 'text' }, rich(d.text)));
    } else if (d.kind === 'reaction') {
      append(b, h('div', { class: 'text emoji', text: d.text || '(reaction removed)' }));
    } else {
      append(b, h('div', { class: 'text' }, rich(d.text)));
    }
    return b;
  }

  function quoteOf(m) {
    var d = describeOutbound(m.payload, m.body);
    var s = d.body || (d.header && d.header.text) || (d.template && d.template.name) || str(m.body) || d.kind;
    s = s.replace(/\s+/g, ' ');
    return s.length > 80 ? s.slice(0, 79) + '\u2026' : s;
  }

  // ----------------------------------------------------------- list sheet

  function openListSheet(d, msg) {
    var dlg = $('list-sheet');
    $('list-title').textContent = d.list.button;
    var body = $('list-body');
    body.textContent = '';
    if (d.body) append(body, h('p', { class: 'muted small' }, rich(d.body)));
    d.list.sections.forEach(function (s, si) {
      var headingId = 'list-sec-' + si;
      var sec = h('section', { 'aria-labelledby': s.title ? headingId : null });
      if (s.title) append(sec, h('h3', { id: headingId, text: s.title }));
      s.rows.forEach(function (r) {
        append(sec, h('button', {
          type: 'button', class: 'list-row',
          onclick: function () {
            closeDialog(dlg);
            send(listReplyMessage(r, replyContext(msg)));
          }
        }, h('span', { class: 'row-title', text: r.title || r.id }),
        r.description ? h('span', { class: 'row-desc', text: r.description }) : null));
      });
      append(body, sec);
    });
    openDialog(dlg);
  }

  // ------------------------------------------------------- location dialog

  function openLocationDialog() {
    if (!state.biz) return;
    var place = defaultPlace(state.biz.display_phone_number);
    $('loc-latlng').value = place.latitude + ', ' + place.longitude;
    $('loc-name').value = place.name;
    $('loc-address').value = place.address;
    $('loc-error').hidden = true;
    openDialog($('loc-dialog'));
    $('loc-latlng').select();
  }

  function submitLocation(ev) {
    ev.preventDefault();
    var ll = parseLatLong($('loc-latlng').value);
    var errEl = $('loc-error');
    if (!ll) {
      errEl.textContent = 'Write the latitude and longitude as two numbers, e.g. 6.4541, 3.3947.';
      errEl.hidden = false;
      $('loc-latlng').focus();
      return;
    }
    closeDialog($('loc-dialog'));
    send(locationMessage({
      latitude: ll.latitude, longitude: ll.longitude,
      name: $('loc-name').value, address: $('loc-address').value
    }));
  }

  function openDialog(dlg) {
    if (typeof dlg.showModal === 'function') {
      if (!dlg.open) dlg.showModal();
    } else {
      dlg.setAttribute('open', '');
    }
  }

  function closeDialog(dlg) {
    if (typeof dlg.close === 'function' && dlg.open) dlg.close();
    else dlg.removeAttribute('open');
  }

  // ------------------------------------------------------------ composer

  function autoGrow() {
    var ta = $('text');
    ta.style.height = 'auto';
    ta.style.height = Math.min(ta.scrollHeight, 160) + 'px';
  }

  // ---------------------------------------------------------------- boot

  function boot() {
    $('biz').addEventListener('change', onBizChange);
    $('waid').addEventListener('change', onWaIdChange);
    $('waid').addEventListener('input', function () {
      var el = $('waid');
      var d = el.value.replace(/[^\d]/g, '');
      if (d !== el.value) el.value = d;
    });
    $('pname').addEventListener('change', onNameChange);
    $('newcust').addEventListener('click', newCustomer);
    $('reset').addEventListener('click', resetView);
    $('composer').addEventListener('submit', function (ev) { ev.preventDefault(); sendText(); });
    $('replying-cancel').addEventListener('click', function () { setReplyTo(null); });
    $('text').addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        sendText();
      }
    });
    $('text').addEventListener('input', autoGrow);
    $('loc').addEventListener('click', openLocationDialog);
    $('loc-form').addEventListener('submit', submitLocation);
    $('login-form').addEventListener('submit', submitLogin);
    $('loc-cancel').addEventListener('click', function () { closeDialog($('loc-dialog')); });
    $('list-close').addEventListener('click', function () { closeDialog($('list-sheet')); });
    // A click on the dialog backdrop closes it.
    ['list-sheet', 'loc-dialog'].forEach(function (id) {
      $(id).addEventListener('click', function (ev) { if (ev.target === ev.currentTarget) closeDialog(ev.currentTarget); });
    });
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) kick();
    });
    setComposerEnabled(false);
    renderEmpty();
    loadNumbers();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
